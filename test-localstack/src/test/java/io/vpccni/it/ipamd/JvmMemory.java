package io.vpccni.it.ipamd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory of another JVM: resident set from {@code /proc/<pid>/status}, heap in use and committed from
 * {@code jcmd <pid> GC.heap_info} (the JDK's own attach tool, so the measured process needs no agent).
 */
record JvmMemory(long rssKib, long rssPeakKib, long heapUsedKib, long heapCommittedKib) {

    private static final Pattern HEAP_LINE = Pattern.compile(
            "^\\s*(garbage-first heap|DefNew|Tenured|def new generation|tenured generation|PSYoungGen|ParOldGen)\\s+total"
                    + "(?: reserved \\d+K, committed)? (\\d+)K, used (\\d+)K", Pattern.MULTILINE);

    static JvmMemory of(long pid) throws IOException, InterruptedException {
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        String heapInfo = jcmd(pid, "GC.heap_info");
        long used = 0;
        long committed = 0;
        Matcher heap = HEAP_LINE.matcher(heapInfo);
        while (heap.find()) {
            committed += Long.parseLong(heap.group(2));
            used += Long.parseLong(heap.group(3));
        }
        if (used == 0) {
            throw new IllegalStateException("cannot read GC.heap_info of " + pid + ":\n" + heapInfo);
        }
        return new JvmMemory(statusKib(status, "VmRSS"), statusKib(status, "VmHWM"), used, committed);
    }

    /** Asks the JVM for a full collection, so that the next reading shows the live heap. */
    static void collect(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
    }

    static String mib(long kib) {
        return "%.1f".formatted(kib / 1024.0);
    }

    static long statusKib(String status, String field) {
        Matcher m = Pattern.compile("^" + field + ":\\s+(\\d+) kB", Pattern.MULTILINE).matcher(status);
        if (!m.find()) {
            throw new IllegalStateException(field + " missing from /proc/<pid>/status");
        }
        return Long.parseLong(m.group(1));
    }

    static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " " + String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
