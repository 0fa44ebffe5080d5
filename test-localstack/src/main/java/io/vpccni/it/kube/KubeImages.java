package io.vpccni.it.kube;

import io.vpccni.it.vpc.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The image archives a node imports, made by {@code deploy/image/build.sh} (offline, bases cached): the project's
 * image, rebuilt when any of the sources it is built from is newer than the archive, the pause image, and the
 * matrix's server ({@code test-localstack/image/netpol-server}: TCP 80 and 81 and UDP 80, echoing what it reads).
 */
public final class KubeImages {

    /** The reference of the {@link #netpolServer} image. */
    public static final String NETPOL_SERVER = "docker.io/library/vpccni-netpol-server:1";

    private KubeImages() {}

    /** The sandbox image's archive, built once. */
    public static Path pause(KubeTools tools, Consumer<String> progress) {
        Path archive = tools.repository().resolve("deploy/target/pause.oci.tar");
        if (!Files.exists(archive)) {
            build(tools, progress, List.of("pause", "--out", archive.toString()));
        }
        return archive;
    }

    /** The project's image with tag {@code tag}, built from this tree unless the archive is newer than it. */
    public static Path vpcCni(KubeTools tools, String tag, Consumer<String> progress) {
        Path archive = tools.repository().resolve("deploy/target/vpc-cni-java-" + tag + ".oci.tar");
        if (!Files.exists(archive) || newestSource(tools.repository()).compareTo(modified(archive)) > 0) {
            build(tools, progress, List.of("--tag", tag, "--out", archive.toString()));
        }
        return archive;
    }

    /** The {@link #NETPOL_SERVER} image's archive, rebuilt when its source or script is newer. */
    public static Path netpolServer(KubeTools tools, Consumer<String> progress) {
        Path dir = tools.repository().resolve("test-localstack/image/netpol-server");
        Path archive = tools.repository().resolve("test-localstack/target/netpol-server.oci.tar");
        if (!Files.exists(archive) || modified(dir.resolve("netpol-server.c")).compareTo(modified(archive)) > 0
                || modified(dir.resolve("build.sh")).compareTo(modified(archive)) > 0) {
            Exec.runFor(Map.of(), List.of(dir.resolve("build.sh").toString(), archive.toString()),
                    java.time.Duration.ofMinutes(5)).orThrow();
            progress.accept("built " + archive);
        }
        return archive;
    }

    /** The image {@code fromTag} as a new image tagged {@code tag} ({@code build.sh retag}): a rebuilt image. */
    public static Path retagged(KubeTools tools, String fromTag, String tag, Consumer<String> progress) {
        Path archive = tools.repository().resolve("deploy/target/vpc-cni-java-" + tag + ".oci.tar");
        build(tools, progress, List.of("retag", fromTag, "--tag", tag, "--out", archive.toString()));
        return archive;
    }

    private static void build(KubeTools tools, Consumer<String> progress, List<String> args) {
        long started = System.nanoTime();
        List<String> command = new java.util.ArrayList<>(List.of(tools.imageBuilder().toString()));
        command.addAll(args);
        Exec.Result built = Exec.runFor(Map.of(), command, java.time.Duration.ofMinutes(20));
        built.orThrow();
        progress.accept(String.format("built %s in %.1f s: %s", String.join(" ", args),
                (System.nanoTime() - started) / 1e9, built.stderr().strip().replace('\n', ';')));
    }

    /** The modules the Dockerfile builds (ipamd, cni and what they depend on, network-policy among them). */
    private static final String IMAGE_MODULES = "(netlink|rpc|eni-manager|network-policy|ipamd|cni)";

    // What the image is built from: those modules' main sources, poms and build scripts, deploy/image, deploy/conflist.
    private static FileTime newestSource(Path repository) {
        try (Stream<Path> all = Files.walk(repository)) {
            return all.filter(p -> {
                String relative = repository.relativize(p).toString();
                return Files.isRegularFile(p) && (relative.matches(IMAGE_MODULES + "/(src/main/.*|pom\\.xml|[^/]+\\.sh)")
                        || relative.equals("pom.xml") || relative.startsWith("deploy/image/")
                        || relative.startsWith("deploy/conflist/"));
            }).map(KubeImages::modified).max(FileTime::compareTo).orElse(FileTime.fromMillis(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
