package io.vpccni.it.kube;

import io.vpccni.it.vpc.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's certificates, made with openssl: one CA, a certificate per component (API server, admin, controller
 * manager, scheduler, each kubelet as client and as server) and the service-account signing key. ECDSA P-256 keys:
 * a few milliseconds each. Valid for three days: a box lives for minutes.
 */
public final class Pki {

    /** A certificate and its key. */
    public record Credential(Path cert, Path key) {}

    private final Path dir;
    private final Credential ca;

    private Pki(Path dir, Credential ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA in {@code dir}, plus the service-account key pair. */
    public static Pki create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Credential ca = new Credential(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.key().toString(), "-out", ca.cert().toString(), "-days", "3",
                "-subj", "/CN=vpccni-kubernetes-in-the-box-ca");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir.resolve("sa.key").toString());
        openssl("ec", "-in", dir.resolve("sa.key").toString(), "-pubout", "-out", dir.resolve("sa.pub").toString());
        return new Pki(dir, ca);
    }

    public Credential ca() {
        return ca;
    }

    public Path serviceAccountKey() {
        return dir.resolve("sa.key");
    }

    public Path serviceAccountPublicKey() {
        return dir.resolve("sa.pub");
    }

    /**
     * A certificate signed by the CA for {@code commonName} in {@code organizations} (Kubernetes' user and groups),
     * with {@code sans} ({@code IP:...}, {@code DNS:...}) when it serves.
     */
    public Credential issue(String file, String commonName, List<String> organizations, List<String> sans) {
        return issue(file, commonName, organizations, sans, List.of("-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1"));
    }

    /** As {@link #issue}, with an RSA key: for a client that reads no EC key (fabric8's). */
    public Credential issueRsa(String file, String commonName, List<String> organizations) {
        return issue(file, commonName, organizations, List.of(), List.of("-newkey", "rsa:2048"));
    }

    private Credential issue(String file, String commonName, List<String> organizations, List<String> sans,
                             List<String> key) {
        Credential issued = new Credential(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
        Path csr = dir.resolve(file + ".csr");
        StringBuilder subject = new StringBuilder();
        organizations.forEach(o -> subject.append("/O=").append(o));
        subject.append("/CN=").append(commonName);
        List<String> request = new ArrayList<>(List.of("req", "-new"));
        request.addAll(key);
        request.addAll(List.of("-nodes", "-keyout", issued.key().toString(), "-out", csr.toString(),
                "-subj", subject.toString()));
        if (!sans.isEmpty()) {
            request.addAll(List.of("-addext", "subjectAltName=" + String.join(",", sans)));
        }
        openssl(request.toArray(String[]::new));
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
                "-set_serial", Long.toString(System.nanoTime()), "-days", "3", "-copy_extensions", "copyall",
                "-out", issued.cert().toString());
        return issued;
    }

    /** A kubeconfig that reaches {@code server} as {@code user}, trusting the CA. */
    public Path kubeconfig(String file, String server, Credential user) throws IOException {
        Path config = dir.resolve(file + ".kubeconfig");
        Files.writeString(config, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: box
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: user
                  user:
                    client-certificate: %s
                    client-key: %s
                contexts:
                - name: box
                  context: {cluster: box, user: user}
                current-context: box
                """.formatted(server, ca.cert(), user.cert(), user.key()));
        return config;
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Exec.run(java.util.Map.of(), null, command).orThrow();
    }
}
