package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.netlink.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pods are added on a node, one after another without pause, while its ipamd is SIGKILLed and restarted three
 * times and then upgraded the way the DaemonSet upgrades it (the old daemon stopped, the installer of
 * {@code deploy/image/vpc-cni-node} putting a rebuilt release in place of the installed one, the new daemon
 * started). The plugin runs from the installed release, as the runtime runs it. Every ADD is tried once, as a
 * runtime with no retry would: none may fail, since the shim holds an ADD until the restarted daemon serves it.
 * No address is held twice, and the checkpoint holds exactly the live pods at the end. The added delay of the ADDs
 * caught in a restart is printed against the restart's length; it is not asserted.
 */
@Tag("privileged")
class RestartWithoutFailedAddsTest {

    private static final int KILLS = 3;
    // t3.small: 3 pod addresses per ENI; up to 4 live pods keep the node on one or two ENIs.
    private static final int MAX_LIVE = 4;
    private static final Duration SERVES_BETWEEN_RESTARTS = Duration.ofSeconds(2);
    private static final Duration DEL_PATIENCE = Duration.ofSeconds(60);
    private static final Path INSTALLER = Path.of("../deploy/image/vpc-cni-node");
    private static final Path SHIM_SOURCE = Path.of("../cni/src/main/c/vpc_cni_shim.c");

    /** One ADD: when it started and ended (System.nanoTime), and why it failed if it did. */
    private record Add(String pod, long from, long to, String failure) {
        long millis() {
            return (to - from) / 1_000_000;
        }
    }

    /** From the moment ipamd was stopped to the moment the restarted one was ready. */
    private record Outage(String what, long from, long ready) {
        long millis() {
            return (ready - from) / 1_000_000;
        }

        boolean overlaps(Add add) {
            return add.from() < ready && add.to() > from;
        }
    }

    @Test
    void podsAddedThroughThreeKillsAndAnUpgradeAllGetTheirAddressAtTheFirstTry() throws Exception {
        Shell.require("root".equals(System.getProperty("user.name")), "namespaces need root");
        Shell.require(Files.isExecutable(Path.of("../cni/target/plugin/bin/vpc-cni")), "packaged plugin missing");
        Shell.require(Files.isExecutable(INSTALLER), "installer missing: " + INSTALLER);
        Shell.require(Shell.tryRun("cc", "--version").exit() == 0, "rebuilding the shim needs a C compiler (cc)");
        long seed = Long.getLong("restart.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("[restart] seed " + seed + " (replay with -Drestart.seed=" + seed + ")");

        try (VpcBox box = VpcBox.start(List.of(new VpcBox.NodeSpec("a", "t3.small",
                Map.of("IP_COOLDOWN_PERIOD", "0"))), line -> System.out.println("[vpc] " + line))) {
            SimulatedNodeNs node = box.nodes().getFirst();
            node.cni().runPluginDirectly();
            Path cniBin = node.dir().resolve("cni-bin");
            install(CniRuntime.findPluginDir().getParent(), cniBin);
            node.cni().runInstalledPlugin(cniBin);
            Path rebuilt = rebuiltRelease(node.dir().resolve("rebuilt"));

            List<Add> adds = Collections.synchronizedList(new ArrayList<>());
            List<String> heldTwice = Collections.synchronizedList(new ArrayList<>());
            List<PodNs> live = Collections.synchronizedList(new ArrayList<>());
            Map<String, PodNs> holders = new ConcurrentHashMap<>();
            List<Throwable> crashes = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            int[] failedDels = {0};

            Thread stream = Thread.ofPlatform().name("adds-" + node.name()).start(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        if (live.size() >= MAX_LIVE) {
                            PodNs gone = live.removeFirst();
                            holders.remove(gone.ip(), gone);
                            failedDels[0] += box.removePod(gone, DEL_PATIENCE);
                            continue;
                        }
                        String name = "r" + i;
                        long from = System.nanoTime();
                        try {
                            PodNs pod = box.addPod(name, node, Duration.ZERO);
                            adds.add(new Add(name, from, System.nanoTime(), null));
                            PodNs other = holders.putIfAbsent(pod.ip(), pod);
                            if (other != null) {
                                heldTwice.add(pod.ip() + " given to " + name + " while " + other.name() + " holds it");
                            }
                            live.add(pod);
                        } catch (RuntimeException failed) {
                            adds.add(new Add(name, from, System.nanoTime(), failed.getMessage()));
                        }
                    }
                } catch (Throwable e) {
                    crashes.add(e);
                }
            });

            List<Outage> outages = new ArrayList<>();
            Thread.sleep(SERVES_BETWEEN_RESTARTS);
            for (int k = 1; k <= KILLS && crashes.isEmpty(); k++) {
                long from = System.nanoTime();
                long pid = node.ipamd().pid();
                node.ipamd().kill();
                // The DaemonSet's restart is not instant.
                Thread.sleep(random.nextInt(1000));
                node.ipamd().start(Duration.ofSeconds(90));
                outages.add(new Outage("kill " + k + " (pid " + pid + ")", from, System.nanoTime()));
                Thread.sleep(SERVES_BETWEEN_RESTARTS);
            }
            Path entry = cniBin.resolve("vpc-cni");
            Path before = Files.readSymbolicLink(entry);
            long upgradeFrom = System.nanoTime();
            node.ipamd().close(); // SIGTERM, as the old pod gets
            install(rebuilt, cniBin);
            node.ipamd().start(Duration.ofSeconds(90));
            outages.add(new Outage("upgrade", upgradeFrom, System.nanoTime()));
            Thread.sleep(SERVES_BETWEEN_RESTARTS);
            stop.set(true);
            stream.join();
            assertThat(crashes).as("the stream of pods stopped").isEmpty();

            report(adds, outages, failedDels[0], node.dir().resolve("plugin.log"));
            assertThat(Files.readSymbolicLink(entry)).as("the entry point runs the new release").isNotEqualTo(before);
            assertThat(adds.stream().filter(a -> a.failure() != null).map(a -> a.pod() + ": " + a.failure()))
                    .as("failed ADDs").isEmpty();
            for (Outage outage : outages) {
                assertThat(adds.stream().filter(outage::overlaps)).as("ADDs caught in %s", outage.what())
                        .isNotEmpty();
            }
            assertThat(heldTwice).as("addresses given twice (seed %d)", seed).isEmpty();
            Set<String> liveIps = new TreeSet<>();
            live.forEach(p -> liveIps.add(p.ip()));
            assertThat(liveIps).as("addresses of the live pods").hasSameSizeAs(live);
            Set<String> inCheckpoint = new TreeSet<>();
            new ObjectMapper().readTree(node.dir().resolve("ipam.json").toFile()).path("allocations")
                    .forEach(a -> inCheckpoint.add(a.path("ipv4").asText()));
            assertThat(inCheckpoint).as("the checkpoint's assignments").isEqualTo(liveIps);
        }
    }

    /** What the installer does on the node: a new release under {@code cniBin/vpc-cni.d}, the entry point swapped. */
    private static void install(Path pluginLayout, Path cniBin) {
        Exec.run(INSTALLER.toAbsolutePath().toString(), "install", "--plugin-src", pluginLayout.toString(),
                "--cni-bin", cniBin.toString()).orThrow();
    }

    /**
     * A release rebuilt from this source tree: the packaged layout with its shim compiled again, as the image's
     * build compiles it. Copied with modification times kept: the standalone plugin's AOT cache checks its jars'.
     */
    private static Path rebuiltRelease(Path dir) {
        Exec.run("cp", "-pR", CniRuntime.findPluginDir().getParent().toString(), dir.toString()).orThrow();
        Exec.run("cc", "-O2", "-static", "-Wall", "-Wextra", "-Werror", "-o", dir.resolve("bin/vpc-cni").toString(),
                SHIM_SOURCE.toString()).orThrow();
        return dir;
    }

    private static void report(List<Add> adds, List<Outage> outages, int failedDels, Path pluginLog)
            throws java.io.IOException {
        List<Long> calm = adds.stream().filter(a -> outages.stream().noneMatch(o -> o.overlaps(a)))
                .map(Add::millis).sorted().toList();
        long median = calm.isEmpty() ? 0 : calm.get(calm.size() / 2);
        System.out.printf("[restart] %d ADDs (%d failed), %d DELs retried; ADD median %d ms outside restarts%n",
                adds.size(), adds.stream().filter(a -> a.failure() != null).count(), failedDels, median);
        for (Outage outage : outages) {
            long worst = adds.stream().filter(outage::overlaps).mapToLong(Add::millis).max().orElse(0);
            System.out.printf("[restart] %s: ipamd away %d ms; %d ADDs caught, the slowest %d ms, added delay %d ms"
                            + "%n", outage.what(), outage.millis(), adds.stream().filter(outage::overlaps).count(),
                    worst, worst - median);
        }
        List<String> lines = Files.exists(pluginLog) ? Files.readAllLines(pluginLog) : List.of();
        // The shim's own lines (waits, daemons that went away) and the plugin's errors, for a failure's story.
        lines.stream().filter(l -> l.contains(" ADD of container ") || l.contains(" ERROR ["))
                .forEach(l -> System.out.println("[restart] plugin log: " + l));
        System.out.printf("[restart] the shim waited for the plugin server %d times (plugin log)%n",
                lines.stream().filter(l -> l.contains("waiting up to")).count());
    }
}
