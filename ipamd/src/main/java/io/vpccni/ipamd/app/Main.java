package io.vpccni.ipamd.app;

import io.vpccni.ipamd.config.InvalidConfigurationException;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.status.NodeStatusCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the daemon image: {@code ipamd} runs the daemon (the default), {@code status} prints the node's
 * pool for a person. The only class that reads the process environment or exits; what the daemon is made of is
 * {@link NodeDaemon}'s, the composition root.
 *
 * <p>Exit codes of {@code ipamd}: {@value #EXIT_NOT_STARTED} when the daemon does not start, with the reason on
 * stderr ("ipamd: " and one paragraph: an invalid configuration names the variable, instance metadata that did not
 * answer within a minute, custom networking without MY_NODE_NAME) or, when a start-up step failed, the step in the
 * log and the exception's trace; {@value #EXIT_USAGE} for an unknown command. A running daemon stops on SIGTERM or
 * SIGINT, closing its sockets first, with the JVM's status for the signal (143, 130). {@code status} exits as
 * {@link NodeStatusCommand} says.
 */
public final class Main {

    /** The daemon did not start: refused (the reason on stderr) or a start-up step failed. */
    public static final int EXIT_NOT_STARTED = 1;
    /** An unknown command. */
    public static final int EXIT_USAGE = 2;

    private Main() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String command = args.length == 0 ? "ipamd" : args[0];
        switch (command) {
            case "ipamd" -> runDaemon(env);
            case "status" -> System.exit(NodeStatusCommand.run(List.of(args).subList(1, args.length), System.out,
                    System.err, env));
            default -> {
                System.err.println("usage: ipamd [ipamd | status [--endpoint URL] [--json]]");
                System.exit(EXIT_USAGE);
            }
        }
    }

    private static void runDaemon(Map<String, String> env) throws InterruptedException {
        try {
            DaemonLog.install(IpamdConfig.fromEnvironment(env).daemon());
        } catch (InvalidConfigurationException e) {
            // NodeDaemon.fromEnvironment refuses with what is wrong
        }
        NodeDaemon daemon;
        try {
            switch (NodeDaemon.fromEnvironment(env)) {
                case NodeDaemon.Start.Started started -> daemon = started.daemon();
                case NodeDaemon.Start.Refused refused -> {
                    System.err.println("ipamd: " + refused.reason());
                    System.exit(EXIT_NOT_STARTED);
                    return;
                }
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(EXIT_NOT_STARTED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
