package io.vpccni.it.vpc;

import io.vpccni.netlink.api.IpPrefix;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * Follows the emulator's ENI state: every {@link #INTERVAL} it describes the VPC's ENIs and brings the fabric to
 * the resulting {@link FabricPlan}, so ENIs ipamd attaches show up on the node, and addresses it assigns become
 * routable, within about half a second (ipamd waits for a new ENI's link with a bounded retry, as on EC2).
 */
public final class FabricReconciler implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(500);

    private final Ec2Client ec2;
    private final String vpcId;
    private final Fabric fabric;
    private final Map<String, Integer> nodeOfInstance = new ConcurrentHashMap<>();
    private final Map<String, IpPrefix> subnets = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Consumer<String> log;
    private final Thread thread;
    private volatile boolean running = true;
    private long passes;

    public FabricReconciler(Ec2Client ec2, String vpcId, Fabric fabric, Consumer<String> log) {
        this.ec2 = ec2;
        this.vpcId = vpcId;
        this.fabric = fabric;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon(true).name("fabric-reconciler").unstarted(this::loop);
    }

    public void addNode(int index, String instanceId) {
        nodeOfInstance.put(instanceId, index);
    }

    /** Starts following the emulator in the background. */
    public FabricReconciler start() {
        thread.start();
        return this;
    }

    /** One pass now, on the caller's thread: when it returns, the fabric matches the emulator as just described. */
    public synchronized FabricPlan reconcileNow() {
        List<NetworkInterface> enis = ec2.describeNetworkInterfaces(b -> b.filters(f -> f.name("vpc-id")
                .values(vpcId))).networkInterfaces();
        FabricPlan plan = FabricPlan.of(enis, Map.copyOf(nodeOfInstance), this::subnetCidr);
        fabric.apply(plan);
        for (String clash : plan.clashes()) {
            if (reported.add(clash)) {
                log.accept("address clash in the emulator (one address on two ENIs, which EC2 never does): " + clash);
            }
        }
        passes++;
        notifyAll();
        return plan;
    }

    /** Waits until a pass that started after this call has finished. */
    public synchronized void awaitNextPass() throws InterruptedException {
        long target = passes + 2;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (passes < target && System.nanoTime() < deadline) {
            wait(INTERVAL.toMillis());
        }
    }

    private Optional<IpPrefix> subnetCidr(String subnetId) {
        IpPrefix known = subnets.get(subnetId);
        if (known != null) {
            return Optional.of(known);
        }
        ec2.describeSubnets(b -> b.filters(f -> f.name("vpc-id").values(vpcId))).subnets()
                .forEach(s -> subnets.put(s.subnetId(), IpPrefix.parse(s.cidrBlock())));
        return Optional.ofNullable(subnets.get(subnetId));
    }

    private void loop() {
        String lastFailure = "";
        while (running) {
            try {
                reconcileNow();
                lastFailure = "";
            } catch (RuntimeException e) {
                if (running && !e.toString().equals(lastFailure)) {
                    log.accept("fabric reconcile failed (retrying): " + e);
                    lastFailure = e.toString();
                }
            }
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
