package io.vpccni.cni.log;

import io.vpccni.rpc.log.LogText;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The plugin's log: one line per event, appended to {@code pluginLogFile}, never stdout (stdout
 * belongs to the CNI result). Bounded: when the file has grown past {@link #MAX_BYTES} it is moved
 * to {@code <file>.1} (replacing the older one) before this process appends, so at most two files
 * of a few MiB exist. Deliberately not java.util.logging: a short-lived process should not load a
 * logging framework to write a dozen lines.
 *
 * <p>Control characters in a message are escaped ({@link LogText}): messages carry values from the invocation
 * (CNI_ARGS, CNI_NETNS), and a newline in one must not forge a line. Rotation is safe with concurrent writers:
 * the plugin server's threads, each with a log of its own, and standalone plugin processes decide it one at a
 * time, under a lock on {@code <file>.lock}, and only while the file is still over the limit, so an old file is
 * never moved over the one rotated a moment before.
 *
 * <p>A log that cannot be written is not a reason to fail a pod: write errors end logging quietly.
 */
public final class PluginLog implements AutoCloseable {
    public static final long MAX_BYTES = 4L * 1024 * 1024;
    /** File locks are per process: the plugin server's threads take this before the file's. */
    private static final Object ROTATION = new Object();
    private static String pid;

    public enum Level { DEBUG, INFO, WARN, ERROR }

    private final Level threshold;
    private final Path file;
    private final PrintStream fallback;
    private final long maxBytes;
    private OutputStream out;
    private boolean broken;

    private PluginLog(Path file, Level threshold, PrintStream fallback, long maxBytes) {
        this.file = file;
        this.threshold = threshold;
        this.fallback = fallback;
        this.maxBytes = maxBytes;
    }

    /** Lines at {@code threshold} and above go to {@code file}, opened on the first line. */
    public static PluginLog toFile(Path file, Level threshold) {
        return toFile(file, threshold, MAX_BYTES);
    }

    /** As {@link #toFile(Path, Level)}, rotating past {@code maxBytes} (tests). */
    static PluginLog toFile(Path file, Level threshold, long maxBytes) {
        return new PluginLog(file, threshold, null, maxBytes);
    }

    /** No file configured: warnings and errors go to stderr, which runtimes keep in their logs. */
    public static PluginLog toStderr() {
        return new PluginLog(null, Level.WARN, System.err, MAX_BYTES);
    }

    /** Discards everything (tests that do not care). */
    public static PluginLog discard() {
        return new PluginLog(null, Level.ERROR, null, MAX_BYTES);
    }

    /**
     * aws-vpc-cni writes "DEBUG"/"Debug"/"info"...; an unknown word means INFO. Compared without
     * case rather than upper-cased: {@code toUpperCase(Locale.ROOT)} initialises Locale's tables.
     */
    public static Level parseLevel(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("DEBUG") || t.equalsIgnoreCase("TRACE")) {
            return Level.DEBUG;
        }
        if (t.equalsIgnoreCase("WARN") || t.equalsIgnoreCase("WARNING")) {
            return Level.WARN;
        }
        if (t.equalsIgnoreCase("ERROR") || t.equalsIgnoreCase("FATAL")) {
            return Level.ERROR;
        }
        return Level.INFO;
    }

    public boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0 && (file != null || fallback != null);
    }

    public void debug(String message) {
        log(Level.DEBUG, message);
    }

    public void info(String message) {
        log(Level.INFO, message);
    }

    public void warn(String message) {
        log(Level.WARN, message);
    }

    public void error(String message) {
        log(Level.ERROR, message);
    }

    public synchronized void log(Level level, String message) {
        if (!enabled(level) || broken) {
            return;
        }
        String line = LogTimestamp.format(System.currentTimeMillis()) + " " + level + " [" + pid() + "] "
                + LogText.escape(message) + "\n";
        if (file == null) {
            fallback.print(line);
            return;
        }
        try {
            if (out == null) {
                out = open(file, maxBytes);
            }
            // One write per line: O_APPEND keeps lines of concurrent plugin processes whole.
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }

    /**
     * This process's id, from {@code /proc/self}. Not {@code ProcessHandle.current()}: its class
     * initialisation sets up the process reaper, which a plugin run never needs.
     */
    private static String pid() {
        if (pid == null) {
            try {
                pid = Files.readSymbolicLink(Path.of("/proc/self")).toString();
            } catch (IOException | UnsupportedOperationException e) {
                pid = "?";
            }
        }
        return pid;
    }

    /**
     * java.io's File on the path every run takes (directory, size check, append): the JVM has it
     * ready at start, where NIO's Files initialises more on first use. Rotation, rare, uses Files.
     */
    private static OutputStream open(Path file, long maxBytes) throws IOException {
        File f = file.toAbsolutePath().toFile();
        File parent = f.getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
            throw new IOException("cannot create log directory " + parent);
        }
        if (f.length() >= maxBytes) { // 0 when the file does not exist yet
            rotate(file, maxBytes);
        }
        return new FileOutputStream(f, true);
    }

    /**
     * Moves the file to {@code <file>.1} if it is still over the limit once this writer holds the rotation: a
     * writer that saw the size before another rotated must not move the fresh file over the rotated one.
     */
    private static void rotate(Path file, long maxBytes) throws IOException {
        synchronized (ROTATION) {
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock held = lock.lock()) {
                if (Files.size(file) >= maxBytes) {
                    Files.move(file, file.resolveSibling(file.getFileName() + ".1"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (NoSuchFileException alreadyMoved) {
                // another writer rotated it between our look and our lock
            }
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the process is ending; nothing else to do with a log that cannot close
            }
            out = null;
        }
    }
}
