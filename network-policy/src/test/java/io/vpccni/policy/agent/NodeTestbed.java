package io.vpccni.policy.agent;

import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.nft.NftApplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node in network namespaces, wired the way ipamd's plugin wires one: a "host" namespace routing between pod
 * namespaces (a /32 on the pod's eth0, default route via 169.254.1.1 on its veth, a /32 route to the pod on the host
 * veth) and a "vpc" namespace standing for the rest of the VPC (addresses 10.1.5.7 and 10.1.6.1). Every pod serves
 * TCP 80 and 81 (an echo of each line) and UDP 80 (an echo), from Java sockets opened inside its namespace. Probes
 * run in a namespace through {@link NetNs#run}. Namespaces are named {@code npa-*} and deleted on close.
 */
public final class NodeTestbed implements AutoCloseable {

    public static final String VPC_IN = "10.1.5.7";
    public static final String VPC_OTHER = "10.1.6.1";
    /** The node's own address (the host namespace's end of the VPC link). */
    public static final String HOST_IP = "192.168.100.1";
    /** A negative probe waits this long: namespaces on one machine answer in microseconds. */
    static final Duration NO_ANSWER = Duration.ofMillis(300);

    private final ScratchNetns host;
    private final ScratchNetns vpc;
    private final Map<String, ScratchNetns> podNs = new LinkedHashMap<>();
    private final Map<String, LocalPod> pods = new LinkedHashMap<>();
    private final List<AutoCloseable> servers = new ArrayList<>();

    private NodeTestbed(ScratchNetns host, ScratchNetns vpc) {
        this.host = host;
        this.vpc = vpc;
    }

    /** Pods named by the given letters, at 10.0.1.1, 10.0.1.2, ... in that order. */
    public static NodeTestbed create(String... podNames) {
        ScratchNetns host = ScratchNetns.create("npa-host");
        ScratchNetns vpc = null;
        NodeTestbed bed = null;
        try {
            vpc = ScratchNetns.create("npa-vpc");
            bed = new NodeTestbed(host, vpc);
            host.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
            host.ip("link", "add", "vpc0", "type", "veth", "peer", "name", "eth0", "netns", vpc.name());
            host.ip("addr", "add", "192.168.100.1/30", "dev", "vpc0");
            host.ip("link", "set", "vpc0", "up");
            host.ip("route", "add", "10.1.0.0/16", "via", "192.168.100.2");
            vpc.ip("addr", "add", "192.168.100.2/30", "dev", "eth0");
            vpc.ip("addr", "add", VPC_IN + "/32", "dev", "eth0");
            vpc.ip("addr", "add", VPC_OTHER + "/32", "dev", "eth0");
            vpc.ip("link", "set", "eth0", "up");
            vpc.ip("route", "add", "10.0.0.0/16", "via", "192.168.100.1");
            bed.serveHost();
            int i = 1;
            for (String name : podNames) {
                bed.addPod(name, "10.0.1." + i++);
            }
            return bed;
        } catch (RuntimeException | Error e) {
            if (bed != null) {
                bed.close();
            } else {
                if (vpc != null) {
                    vpc.close();
                }
                host.close();
            }
            throw e;
        }
    }

    private void addPod(String name, String ip) {
        ScratchNetns ns = ScratchNetns.create("npa-pod");
        podNs.put(name, ns);
        String veth = "eninpa" + String.format("%09d", pods.size() + 1);
        host.ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        host.ip("addr", "add", "169.254.1.1/32", "dev", veth);
        host.ip("link", "set", veth, "up");
        host.ip("route", "add", ip + "/32", "dev", veth, "scope", "link");
        ns.ip("addr", "add", ip + "/32", "dev", "eth0");
        ns.ip("link", "set", "eth0", "up");
        ns.ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        ns.ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        pods.put(name, new LocalPod(ip, Optional.of(veth), "ns", name));
        serve(ns, ip);
    }

    private void serve(ScratchNetns ns, String ip) {
        try (NetNs handle = NetNs.named(ns.name())) {
            for (int port : new int[] {80, 81}) {
                ServerSocket server = handle.run(() -> new ServerSocket(port, 128,
                        java.net.InetAddress.getByName(ip)));
                servers.add(server);
                Thread.ofVirtual().start(() -> acceptLoop(server));
            }
            DatagramSocket udp = handle.run(() -> new DatagramSocket(new InetSocketAddress(ip, 80)));
            servers.add(udp);
            Thread.ofVirtual().start(() -> udpEcho(udp));
        } catch (IOException e) {
            throw new IllegalStateException("servers in " + ns.name() + ": " + e.getMessage(), e);
        }
    }

    /** TCP 80 on the node's own address 192.168.100.1, as a hostNetwork server (node-local DNS, kubelet) would. */
    private void serveHost() {
        try (NetNs handle = NetNs.named(host.name())) {
            ServerSocket server = handle.run(() -> new ServerSocket(80, 128,
                    java.net.InetAddress.getByName(HOST_IP)));
            servers.add(server);
            Thread.ofVirtual().start(() -> acceptLoop(server));
        } catch (IOException e) {
            throw new IllegalStateException("server in " + host.name() + ": " + e.getMessage(), e);
        }
    }

    private static void acceptLoop(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> echo(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the prober went away
        }
    }

    private static void udpEcho(DatagramSocket udp) {
        byte[] buffer = new byte[512];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                udp.receive(p);
                udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    public LocalPod pod(String name) {
        return pods.get(name);
    }

    public List<LocalPod> pods() {
        return List.copyOf(pods.values());
    }

    /** The name of pod {@code pod}'s namespace. */
    public String nsOf(String pod) {
        return podNs.get(pod).name();
    }

    public String ip(String pod) {
        return pods.get(pod).ip();
    }

    /** nft in the host namespace. */
    public NftApplier nft() {
        return new NftApplier(List.of("ip", "netns", "exec", host.name(), "nft"), Duration.ofSeconds(20));
    }

    public List<String> nftCommand() {
        return List.of("ip", "netns", "exec", host.name(), "nft");
    }

    /** Whether a TCP connection from pod {@code from} to {@code to}:{@code port} completes and echoes. */
    public boolean tcp(String from, String to, int port) {
        return tcpFrom(podNs.get(from), Optional.empty(), ip(to), port);
    }

    /** The same from the VPC namespace with source address {@code source}. */
    public boolean tcpFromVpc(String source, String to, int port) {
        return tcpFrom(vpc, Optional.of(source), ip(to), port);
    }

    /** From pod {@code from} to the node's own address. */
    public boolean tcpToHost(String from, int port) {
        return tcpFrom(podNs.get(from), Optional.empty(), HOST_IP, port);
    }

    /** From the host namespace itself (kubelet's probes). */
    public boolean tcpFromHost(String to, int port) {
        return tcpFrom(host, Optional.empty(), ip(to), port);
    }

    /** Pod to the VPC namespace's address: the VPC namespace serves nothing, so a refusal (RST) is "reached". */
    public boolean reachesVpc(String from, int port) {
        try (NetNs ns = NetNs.named(podNs.get(from).name())) {
            return ns.run(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(VPC_IN, port), (int) NO_ANSWER.toMillis());
                    return true;
                } catch (java.net.ConnectException e) {
                    return true;
                } catch (SocketTimeoutException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean udp(String from, String to, int port) {
        try (NetNs ns = NetNs.named(podNs.get(from).name())) {
            return ns.run(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout((int) NO_ANSWER.toMillis());
                    byte[] ping = "ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    s.send(new DatagramPacket(ping, ping.length, new InetSocketAddress(ip(to), port)));
                    DatagramPacket reply = new DatagramPacket(new byte[16], 16);
                    s.receive(reply);
                    return reply.getLength() == 4;
                } catch (SocketTimeoutException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TCP connection opened from pod {@code from}, kept for {@link Connection#echoes}. */
    public Connection open(String from, String to, int port) throws IOException {
        try (NetNs ns = NetNs.named(podNs.get(from).name())) {
            Socket s = ns.run(() -> {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(ip(to), port), (int) NO_ANSWER.toMillis());
                socket.setSoTimeout((int) NO_ANSWER.toMillis() * 3);
                return socket;
            });
            return new Connection(s);
        }
    }

    /** An open connection to an echo server. */
    public record Connection(Socket socket) implements AutoCloseable {
        public boolean echoes() {
            try {
                socket.getOutputStream().write('x');
                socket.getOutputStream().flush();
                return socket.getInputStream().read() == 'x';
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static boolean tcpFrom(ScratchNetns from, Optional<String> source, String to, int port) {
        try (NetNs ns = NetNs.named(from.name())) {
            return ns.run(() -> {
                try (Socket s = new Socket()) {
                    if (source.isPresent()) {
                        s.bind(new InetSocketAddress(source.get(), 0));
                    }
                    s.connect(new InetSocketAddress(to, port), (int) NO_ANSWER.toMillis());
                    s.setSoTimeout((int) NO_ANSWER.toMillis());
                    s.getOutputStream().write('y');
                    return s.getInputStream().read() == 'y';
                } catch (SocketTimeoutException | java.net.ConnectException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        podNs.values().forEach(ScratchNetns::close);
        vpc.close();
        host.close();
    }
}
