package io.vpccni.it.ipamd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where another JVM's memory goes, read with jcmd at one moment: Native Memory Tracking's committed KiB per category
 * (the JVM must run with {@code -XX:NativeMemoryTracking=summary}), loaded classes per library (from
 * {@code VM.classes}), platform threads per name (from {@code Thread.print}), the class histogram's top entries, and
 * what is resident per kind of mapping (from {@code System.map}: NMT's tag of each mapping, else file-backed or
 * untagged anonymous, where glibc's malloc arenas and so every malloc'd NMT category live).
 * The raw outputs are kept in {@code dir} as {@code <moment>-<command>.txt}, for what the tables leave out.
 */
record JvmBreakdown(long rssKib, long nmtCommittedKib, Map<String, Long> nmtCommittedKibByCategory,
                    long nmtMallocKib, long nmtMallocPeakKib, Map<String, Long> residentKibByMapping,
                    Map<String, LibraryClasses> classesByLibrary, int platformThreads, Map<String, Integer> threadsByName,
                    List<String> histogramTop) {

    /** Package prefixes the issue asks about, in the order the table shows them; the rest falls under "other". */
    static final List<String> LIBRARIES = List.of("software.amazon.awssdk", "io.fabric8", "com.fasterxml.jackson",
            "io.github.resilience4j", "io.vpccni", "io.netty", "org.apache", "okhttp3", "kotlin", "org.slf4j",
            "java.", "jdk.", "sun.", "com.sun.");

    /** Classes loaded from one library, and the sum of their {@code VM.classes} sizes (Klass words, times 8). */
    record LibraryClasses(int count, long klassBytes) {}

    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB",
            Pattern.MULTILINE);
    private static final Pattern NMT_MALLOC = Pattern.compile("^\\s+malloc: (\\d+)KB #\\d+, peak=(\\d+)KB",
            Pattern.MULTILINE);
    // from-to vsize prot rss hugetlb pgsz [notes] [vm info] [file]
    private static final Pattern MAP_LINE = Pattern.compile(
            "^0x\\p{XDigit}+-0x\\p{XDigit}+\\s+\\d+\\s+\\S+\\s+(\\d+)\\s+\\d+\\s+\\S+(.*)$", Pattern.MULTILINE);
    private static final Pattern NMT_TAG = Pattern.compile("\\b([A-Z]{2,})\\b");
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB",
            Pattern.MULTILINE);
    // KlassAddr Size State Flags ClassName; Flags may be empty.
    private static final Pattern CLASS_LINE = Pattern.compile("^0x\\p{XDigit}+\\s+(\\d+)\\s+\\S+\\s+(?:\\S+\\s+)?(\\S+)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern THREAD_LINE = Pattern.compile("^\"(.*?)\"", Pattern.MULTILINE);
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+\\d+\\s+\\S+.*$",
            Pattern.MULTILINE);

    static JvmBreakdown of(long pid, Path dir, String moment) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String nmt = kept(pid, dir, moment, "VM.native_memory", "summary");
        String classes = kept(pid, dir, moment, "VM.classes");
        String threads = kept(pid, dir, moment, "Thread.print");
        String histogram = kept(pid, dir, moment, "GC.class_histogram");
        kept(pid, dir, moment, "VM.metaspace");
        kept(pid, dir, moment, "Compiler.codecache");
        String map = kept(pid, dir, moment, "System.map");
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        Files.writeString(dir.resolve(moment + "-proc-status.txt"), status);

        Matcher total = NMT_TOTAL.matcher(nmt);
        if (!total.find()) {
            throw new IllegalStateException("no Native Memory Tracking in " + pid
                    + " (run it with -XX:NativeMemoryTracking=summary):\n" + nmt);
        }
        Map<String, Long> byCategory = new LinkedHashMap<>();
        Matcher category = NMT_CATEGORY.matcher(nmt);
        while (category.find()) {
            byCategory.put(category.group(1).strip(), Long.parseLong(category.group(2)));
        }
        Matcher malloc = NMT_MALLOC.matcher(nmt);
        if (!malloc.find()) {
            throw new IllegalStateException("no malloc line in the native memory summary of " + pid + ":\n" + nmt);
        }
        Map<String, Long> resident = new TreeMap<>();
        Matcher mapping = MAP_LINE.matcher(map);
        while (mapping.find()) {
            resident.merge(mappingKind(mapping.group(2)), Long.parseLong(mapping.group(1)) / 1024, Long::sum);
        }
        Map<String, LibraryClasses> byLibrary = new LinkedHashMap<>();
        Matcher cls = CLASS_LINE.matcher(classes);
        while (cls.find()) {
            String library = libraryOf(cls.group(2));
            LibraryClasses seen = byLibrary.getOrDefault(library, new LibraryClasses(0, 0));
            byLibrary.put(library, new LibraryClasses(seen.count() + 1, seen.klassBytes() + 8 * Long.parseLong(cls.group(1))));
        }
        Map<String, Integer> byName = new TreeMap<>();
        Matcher thread = THREAD_LINE.matcher(threads);
        int count = 0;
        while (thread.find()) {
            // "ForkJoinPool-1-worker-3", "pool-2-thread-7": one row per pool, not per thread
            byName.merge(thread.group(1).replaceAll("\\d+", "N"), 1, Integer::sum);
            count++;
        }
        List<String> top = HISTOGRAM_ROW.matcher(histogram).results().map(r -> r.group().strip()).limit(15).toList();
        return new JvmBreakdown(JvmMemory.statusKib(status, "VmRSS"), Long.parseLong(total.group(1)), byCategory,
                Long.parseLong(malloc.group(1)), Long.parseLong(malloc.group(2)), resident, byLibrary, count, byName, top);
    }

    /** System.map's last columns: NMT's tag if the mapping has one, else a file or the untagged anonymous rest. */
    private static String mappingKind(String rest) {
        int file = rest.indexOf(" /");
        Matcher tag = NMT_TAG.matcher(file < 0 ? rest : rest.substring(0, file));
        if (tag.find()) {
            return tag.group(1);
        }
        return file >= 0 ? "files (libraries, CDS archive, jars)" : "untagged anonymous (malloc arenas)";
    }

    /**
     * Has glibc give back the free memory it keeps in its arenas ({@code System.trim_native_heap}) and returns the
     * resident set after: what malloc retains beyond what the JVM uses. It changes the process, so it is the last
     * reading of a run.
     */
    static long rssKibAfterNativeTrim(long pid) throws IOException, InterruptedException {
        JvmMemory.jcmd(pid, "System.trim_native_heap");
        return JvmMemory.statusKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmRSS");
    }

    static String libraryOf(String className) {
        for (String prefix : LIBRARIES) {
            if (className.startsWith(prefix)) {
                return prefix;
            }
        }
        return "other";
    }

    private static String kept(long pid, Path dir, String moment, String... command)
            throws IOException, InterruptedException {
        String out = JvmMemory.jcmd(pid, command);
        Files.writeString(dir.resolve(moment + "-" + String.join("-", command) + ".txt"), out);
        return out;
    }
}
