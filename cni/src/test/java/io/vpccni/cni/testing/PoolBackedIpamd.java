package io.vpccni.cni.testing;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for ipamd: a real {@link IpamServer} on a socket, handing out addresses from a small
 * fixed pool honestly (the same address for a known key, release on del, GC of unlisted keys).
 * The plugin against the real daemon is tested in test-localstack ({@code PluginOnRealIpamdTest}); the
 * cni module keeps this stand-in because it must not depend on ipamd (nor on the EC2 emulator).
 * Runnable on its own for the benchmark: {@code PoolBackedIpamd <socket> <count> [--plugin-server]}; with
 * {@code --plugin-server} it also runs the daemon-side plugin server beside the socket, whose host
 * namespace is the process's own (the benchmark starts it inside its node namespace).
 */
public final class PoolBackedIpamd implements AutoCloseable {
    /** A poolable address, with the ENI device and route table it lives on. */
    public record Slot(String ip, int deviceNumber, int table) {}

    private record Key(String network, String containerId, String ifName) {}

    public static final int POD_MTU = 9001;

    private final List<Slot> free;
    private final Map<Key, Slot> assigned = new LinkedHashMap<>();
    private final IpamServer server;
    private volatile boolean ready = true;
    private final Map<String, Hold> holds = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> handled = new ArrayList<>();

    private PoolBackedIpamd(Path socket, List<Slot> slots) throws IOException {
        this.free = new ArrayList<>(slots);
        this.server = IpamServer.start(socket, this::call);
    }

    public static PoolBackedIpamd start(Path socket, List<Slot> slots) throws IOException {
        return new PoolBackedIpamd(socket, slots);
    }

    /** {@code count} addresses 10.0.0.10, 10.0.0.11, ... on the primary ENI (table main). */
    public static List<Slot> primary(int count) {
        List<Slot> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new Slot("10.0.0." + (10 + i), 0, AddOk.MAIN_TABLE));
        }
        return out;
    }

    /**
     * An address already held by a container when the daemon starts, as ipamd holds the allocations
     * of the checkpoint it adopted (aws-vpc-cni's, on a node moving from aws-node).
     */
    public synchronized void adopt(String network, String containerId, String ifName, Slot slot) {
        free.remove(slot);
        assigned.put(new Key(network, containerId, ifName), slot);
    }

    public void setReady(boolean value) {
        ready = value;
    }

    public synchronized List<String> assignedIps() {
        return assigned.values().stream().map(Slot::ip).toList();
    }

    /** An ipamd that is slow for one container (e.g. waiting for EC2 with the pool empty). */
    public static final class Hold {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until an ADD of the held container has reached ipamd (at most 30 s). */
        public void awaitArrival() throws InterruptedException {
            if (!arrived.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("no ADD of the held container reached the test ipamd within 30 s");
            }
        }

        public boolean arrived() {
            return arrived.getCount() == 0;
        }

        public void release() {
            released.countDown();
        }
    }

    /** ADDs of {@code containerId} wait, before they take an address, until the hold is released. */
    public Hold holdAdds(String containerId) {
        Hold hold = new Hold();
        holds.put(containerId, hold);
        return hold;
    }

    /** "ADD id" and "DEL id" of every ADD and DEL handled so far, in the order they were handled. */
    public synchronized List<String> handled() {
        return List.copyOf(handled);
    }

    private IpamReply call(IpamRequest request) {
        if (request instanceof AddRequest a && holds.get(a.containerId()) instanceof Hold hold) {
            hold.arrived.countDown();
            try {
                hold.released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return handle(request);
    }

    private synchronized IpamReply handle(IpamRequest request) {
        switch (request) {
            case AddRequest a -> handled.add("ADD " + a.containerId());
            case DelRequest d -> handled.add("DEL " + d.containerId());
            default -> { }
        }
        return switch (request) {
            case AddRequest a -> add(new Key(a.networkName(), a.containerId(), a.ifName()));
            case DelRequest d -> {
                Slot s = assigned.remove(new Key(d.networkName(), d.containerId(), d.ifName()));
                if (s == null) {
                    yield DelOk.nothingReleased();
                }
                free.add(s);
                yield new DelOk(Optional.of(new DelOk.Released(s.ip(), s.deviceNumber(), s.table())));
            }
            case StatusRequest s -> new StatusOk(ready, ready ? "" : "test pool switched off", free.size());
            case GcRequest g -> gc(g);
        };
    }

    private IpamReply add(Key key) {
        if (!ready) {
            return Failure.of(ReasonCode.NOT_READY, "ipamd is still starting (test pool switched off)");
        }
        Slot s = assigned.get(key);
        if (s == null) {
            if (free.isEmpty()) {
                return Failure.of(ReasonCode.POOL_EMPTY, "no free address left in the test pool");
            }
            s = free.removeFirst();
            assigned.put(key, s);
        }
        return new AddOk(s.ip(), 32, s.deviceNumber(), s.table(), POD_MTU, "eni-test" + s.deviceNumber(),
                Optional.empty());
    }

    private IpamReply gc(GcRequest g) {
        List<GcOk.Released> released = new ArrayList<>();
        var it = assigned.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            Key k = e.getKey();
            if (k.network().equals(g.networkName())
                    && !g.valid().contains(new AttachmentKey(k.containerId(), k.ifName()))) {
                released.add(new GcOk.Released(new AttachmentKey(k.containerId(), k.ifName()), e.getValue().ip()));
                free.add(e.getValue());
                it.remove();
            }
        }
        return new GcOk(released);
    }

    @Override
    public void close() {
        server.close();
    }

    /** Standalone, for bench/: serves until killed. */
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        boolean pluginServer = args.length > 2 && args[2].equals("--plugin-server");
        try (var ipamd = start(socket, primary(Integer.parseInt(args[1])));
                var plugins = pluginServer ? PluginServer.start(PluginServer.besideIpamd(socket),
                        new Dispatcher(HostNamespace.ofProcess())) : null) {
            System.out.println("ready " + args[0]);
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }
}
