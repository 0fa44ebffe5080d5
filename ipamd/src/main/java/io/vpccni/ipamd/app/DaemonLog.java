package io.vpccni.ipamd.app;

import io.vpccni.ipamd.config.DaemonSettings;
import io.vpccni.ipamd.config.LogLevel;
import io.vpccni.rpc.log.LogText;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * ipamd's log, as aws-node's: {@code AWS_VPC_K8S_CNI_LOG_FILE} (an absolute path, or "stdout" / "stderr") at
 * {@code AWS_VPC_K8S_CNI_LOGLEVEL}. Everything the daemon and its libraries log goes through java.util.logging
 * (System.Logger's default, and slf4j-jdk14), so one handler on the root logger takes it all.
 *
 * <p>One line per record: time, level, logger, message; control characters in the message are escaped
 * ({@link LogText}), since messages carry values from requests. A thrown exception follows on its own lines
 * (its message escaped). The file is moved to {@code <file>.1} past {@link #MAX_BYTES}; ipamd is its only writer.
 * The AWS SDK's and the Kubernetes client's loggers stay at INFO or above even at DEBUG: theirs is wire detail.
 */
public final class DaemonLog extends Handler {
    static final long MAX_BYTES = 64L * 1024 * 1024;
    private static final List<String> LIBRARIES = List.of("software.amazon", "io.fabric8", "okhttp3", "io.netty",
            "org.apache", "io.github.resilience4j");

    private final Path file;
    private final PrintStream stream;
    private final long maxBytes;
    private OutputStream out;
    private long written;

    private DaemonLog(Path file, PrintStream stream, long maxBytes) {
        this.file = file;
        this.stream = stream;
        this.maxBytes = maxBytes;
    }

    /** Makes this the only handler of the root logger, at the configured level. */
    static DaemonLog install(DaemonSettings settings) {
        DaemonLog handler = of(settings.logFile(), MAX_BYTES);
        Level level = level(settings.logLevel());
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        handler.setLevel(level);
        root.setLevel(level);
        root.addHandler(handler);
        Level libraries = level.intValue() < Level.INFO.intValue() ? Level.INFO : level;
        LIBRARIES.forEach(name -> Logger.getLogger(name).setLevel(libraries));
        return handler;
    }

    /** "stdout", "stderr" or an absolute path (DaemonSettings has checked which). */
    static DaemonLog of(String target, long maxBytes) {
        return switch (target) {
            case "stdout" -> new DaemonLog(null, System.out, maxBytes);
            case "stderr" -> new DaemonLog(null, System.err, maxBytes);
            default -> new DaemonLog(Path.of(target), null, maxBytes);
        };
    }

    static Level level(LogLevel level) {
        return switch (level) {
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARN -> Level.WARNING;
            case ERROR, FATAL -> Level.SEVERE;
        };
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        byte[] line = format(record).getBytes(StandardCharsets.UTF_8);
        if (stream != null) {
            stream.write(line, 0, line.length);
            stream.flush();
            return;
        }
        try {
            if (out == null || written >= maxBytes) {
                reopen();
            }
            out.write(line);
            written += line.length;
        } catch (IOException | RuntimeException e) {
            // Not a reason to stop the daemon; said once on stderr, which the container runtime keeps.
            reportError("ipamd cannot write its log " + file + ": " + e, e, ErrorManager.WRITE_FAILURE);
            out = null;
        }
    }

    private void reopen() throws IOException {
        close();
        File f = file.toFile();
        File parent = f.getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
            throw new IOException("cannot create log directory " + parent);
        }
        if (f.length() >= maxBytes) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        written = f.length();
        out = new FileOutputStream(f, true);
    }

    static String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160)
                .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                .append(name(record.getLevel())).append(' ')
                .append(shortName(record.getLoggerName())).append(": ")
                .append(LogText.escape(message(record))).append('\n');
        for (Throwable t = record.getThrown(), first = t; t != null; t = t.getCause()) {
            line.append(t == first ? "  " : "  caused by ").append(LogText.escape(t.toString())).append('\n');
            for (StackTraceElement frame : t.getStackTrace()) {
                line.append("    at ").append(frame).append('\n');
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return line.toString();
    }

    private static String message(LogRecord record) {
        String text = record.getMessage();
        Object[] parameters = record.getParameters();
        if (text == null || parameters == null || parameters.length == 0 || !text.contains("{")) {
            return String.valueOf(text);
        }
        try {
            return java.text.MessageFormat.format(text, parameters);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String name(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "-";
        }
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    @Override
    public void flush() {
        // FileOutputStream and the print streams write through: nothing is held back
    }

    @Override
    public synchronized void close() {
        OutputStream open = out;
        out = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException stopping) {
                reportError("ipamd cannot close its log " + file, stopping, ErrorManager.CLOSE_FAILURE);
            }
        }
    }
}
