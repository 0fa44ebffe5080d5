package io.vpccni.it.vpc;

import java.io.IOException;

/**
 * A pod: its own network namespace, wired by the real plugin on its node. Runs a {@link PeerEcho} so other pods
 * can check what address they are seen from.
 */
public final class PodNs implements AutoCloseable {

    private final String name;
    private final Namespace ns;
    private final SimulatedNodeNs node;
    private CniRuntime.Attachment attachment;
    private PeerEcho echo;

    PodNs(String name, Namespace ns, SimulatedNodeNs node) {
        this.name = name;
        this.ns = ns;
        this.node = node;
    }

    public String name() {
        return name;
    }

    /** Stable per pod, as a runtime's sandbox id. */
    public String containerId() {
        return "sandbox-" + name;
    }

    public Namespace namespace() {
        return ns;
    }

    public SimulatedNodeNs node() {
        return node;
    }

    public String ip() {
        return attachment.ip();
    }

    /** CNI ADDs that failed (pool still growing) before the one that wired this pod. */
    public int addRetries() {
        return attachment.retries();
    }

    public int deviceIndex() {
        return attachment.deviceIndex();
    }

    void attached(CniRuntime.Attachment value) {
        this.attachment = value;
        this.echo = PeerEcho.listen(ns);
    }

    /** Connects to {@code target}'s echo server from this pod; the address it saw this pod at. */
    public String reach(String target) throws IOException {
        return PeerEcho.ask(ns, target, 0);
    }

    /** As {@link #reach}, asking for {@code bytes} bytes of reply. */
    public String reach(String target, int bytes) throws IOException {
        return PeerEcho.ask(ns, target, bytes);
    }

    /** Idempotent: a pod removed during a test is closed again at teardown. */
    @Override
    public void close() throws IOException {
        if (echo != null) {
            echo.close();
        }
        ns.close();
    }
}
