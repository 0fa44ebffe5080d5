package io.vpccni.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The plain manifests (deploy/manifests) and rendered YAML, parsed into fabric8's typed objects. */
final class Manifests {

    static final Path DEPLOY = Path.of(System.getProperty("user.dir")); // surefire runs in the module directory
    static final Path DIR = DEPLOY.resolve("manifests");
    /** What enabling network policy adds (applied besides DIR; the chart's enableNetworkPolicy=true). */
    static final Path NETWORK_POLICY_DIR = DIR.resolve("network-policy");
    /** What VPC_CNI_EC2_BUDGET_LEASES=true needs besides DIR: the Lease Role. */
    static final Path EC2_BUDGET_DIR = DIR.resolve("ec2-budget");

    private Manifests() {}

    static List<HasMetadata> all() {
        return in(DIR);
    }

    static List<HasMetadata> networkPolicy() {
        return in(NETWORK_POLICY_DIR);
    }

    static List<HasMetadata> ec2Budget() {
        return in(EC2_BUDGET_DIR);
    }

    private static List<HasMetadata> in(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<HasMetadata> objects = new ArrayList<>();
            files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> objects.addAll(parse(read(f))));
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends HasMetadata> T one(Class<T> type) {
        return one(all(), type);
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** Every YAML document in the text, typed by its apiVersion and kind. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            boolean blank = Arrays.stream(doc.split("\n")).allMatch(l -> l.isBlank() || l.strip().startsWith("#"));
            if (!blank) {
                Object parsed = Serialization.unmarshal(doc);
                if (!(parsed instanceof HasMetadata object)) {
                    throw new AssertionError("not a Kubernetes object: " + parsed);
                }
                objects.add(object);
            }
        }
        return objects;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
