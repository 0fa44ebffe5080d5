package io.vpccni.ipamd.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A lower bound on a workload's p99 bound-to-addressed that no pool policy can beat under EC2's token bucket for
 * CreateNetworkInterface, given the addresses the nodes held when each pod was bound. Pure.
 *
 * <p>Each pod is classed by what its node had for it at binding (pods bound before it and not yet addressed
 * counted first): a free address ({@link Need#FREE}), a free slot on an attached ENI, which one
 * AssignPrivateIpAddresses fills ({@link Need#SLOT}), or neither, so that a new ENI is needed ({@link Need#ENI}).
 * Every pod takes at least the sandbox time (kubelet's ADD comes then); a pod needing an ENI at least the attach
 * floor (create + attach + attachment complete) after the ENI's create, whose token EC2's bucket hands out no
 * earlier than the pod was bound. A node's pods needing an ENI fill one before the next is needed: an ENI request
 * is released when the first of its pods is bound and carries up to {@code addressesPerEni} pods.
 *
 * <p>Everything else is granted for free, so the bound is optimistic: the bucket holds its full burst when the run
 * starts and no create is spent on warm targets; assigns are instant and unthrottled; a pod joining an ENI asked for
 * earlier is served when its first pod is; an ENI limit never stops a node. For a latency {@code x}, the ENI
 * requests whose create can fall within {@code [bound, bound + x - floor]} are at most {@code K(x)}: requests taken
 * in release order, each given the bucket's earliest token if that is within its window (the windows all have the
 * same length, so serving them in release order is optimal for how many fit), and a token refused to none that
 * fits. At most the {@code K(x)} largest requests' pods meet {@code x}. The bound is the least {@code x} at which
 * the pods that can meet it are 99 % of all (the report's percentile: the {@code ceil(0.99 n)}-th latency).
 */
final class P99Bound {

    private P99Bound() {}

    /** What a pod's node had for it when it was bound. */
    enum Need { FREE, SLOT, ENI }

    /**
     * @param shortfall for {@link Need#ENI}, how many addresses more the node would have had to hold for this pod to
     *                  find one (free or a slot); 0 otherwise
     */
    record Arrival(Instant bound, String node, Need need, int shortfall) {
        Arrival {
            if (shortfall < 0 || (need == Need.ENI) != (shortfall > 0)) {
                throw new IllegalArgumentException("a pod needing an ENI lacks at least one address, the others none;"
                        + " not " + need + " lacking " + shortfall);
            }
        }

        Arrival(Instant bound, String node, Need need) {
            this(bound, node, need, need == Need.ENI ? 1 : 0);
        }
    }

    /**
     * The least number of addresses every node would have to hold on top of what it held for the bound to be within
     * {@code goalMillis}: the same bindings, each pod whose node lacked no more than that many finding one free.
     * Empty when even 60 (an m5.xlarge's every address) are not enough.
     */
    static java.util.OptionalInt warmNeeded(List<Arrival> arrivals, Ec2 ec2, long goalMillis) {
        for (int extra = 0; extra <= 60; extra++) {
            int held = extra;
            List<Arrival> warmer = arrivals.stream().map(a -> a.need() == Need.ENI && a.shortfall() <= held
                    ? new Arrival(a.bound(), a.node(), Need.FREE, 0) : a).toList();
            if (p99Millis(warmer, ec2) <= goalMillis) {
                return java.util.OptionalInt.of(extra);
            }
        }
        return java.util.OptionalInt.empty();
    }

    /**
     * @param createCapacity  EC2's burst for CreateNetworkInterface (50)
     * @param createPerSecond its refill (5 a second)
     * @param floor           create + attach + attachment complete: the earliest an ENI's addresses are usable
     * @param sandbox         binding to the ADD: the least any pod takes
     * @param addressesPerEni the pods one new ENI can address
     */
    record Ec2(double createCapacity, double createPerSecond, Duration floor, Duration sandbox, int addressesPerEni) {
        Ec2 {
            if (!(createCapacity >= 1) || !(createPerSecond > 0) || addressesPerEni < 1 || floor.compareTo(sandbox) < 0) {
                throw new IllegalArgumentException("a bucket of at least a token that refills, an ENI of at least one"
                        + " address and a floor no shorter than the sandbox; not " + this);
            }
        }
    }

    /** The bound, in milliseconds (to the millisecond above); 0 for no pods. */
    static long p99Millis(List<Arrival> arrivals, Ec2 ec2) {
        if (arrivals.isEmpty()) {
            return 0;
        }
        List<double[]> requests = requests(arrivals, ec2.addressesPerEni()); // {release seconds, pods}
        long others = arrivals.stream().filter(a -> a.need() != Need.ENI).count();
        long needed = (long) Math.ceil(0.99 * arrivals.size());
        long low = ec2.sandbox().toMillis();
        if (others >= needed) {
            return low;
        }
        long high = Math.max(ec2.floor().toMillis(), low);
        while (others + served(requests, ec2, high) < needed) {
            high *= 2;
        }
        // served() grows with x: the least x at which enough pods can meet it, to the millisecond.
        while (low < high) {
            long mid = (low + high) / 2;
            if (others + served(requests, ec2, mid) >= needed) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /**
     * The p99 the same bucket gives when its tokens go first come, first served: each ENI request (as
     * {@link #requests} groups them) takes the bucket's next token at or after its release, in release order (ties in
     * the order bound), and its pods have their addresses the floor after that token, the sandbox at least; the other
     * pods take the sandbox. What a queue that knows nothing of how many pods each request serves can reach; the
     * {@link #p99Millis bound} serves the largest requests first.
     */
    static long firstComeP99Millis(List<Arrival> arrivals, Ec2 ec2) {
        if (arrivals.isEmpty()) {
            return 0;
        }
        long sandbox = ec2.sandbox().toMillis();
        List<Long> latencies = new ArrayList<>();
        arrivals.stream().filter(a -> a.need() != Need.ENI).forEach(a -> latencies.add(sandbox));
        CreateBucket bucket = new CreateBucket(ec2);
        for (double[] request : requests(arrivals, ec2.addressesPerEni())) {
            double release = request[0];
            double tokenAt = bucket.nextToken(release);
            bucket.take(tokenAt);
            // Every pod of the request is counted from its release: a lower bound for those bound after it.
            long millis = Math.max(sandbox, Math.round((tokenAt - release) * 1000) + ec2.floor().toMillis());
            for (int pod = 0; pod < request[1]; pod++) {
                latencies.add(millis);
            }
        }
        latencies.sort(null);
        return latencies.get(Math.max(0, (int) Math.ceil(0.99 * latencies.size()) - 1));
    }

    /**
     * A node's ENI pods in the order bound, grouped in ENIs of {@code perEni}: {release seconds, pods}. A pod joins
     * its node's open request only while the node's shortfall keeps growing: one that lacks no more than the pod
     * before it did was bound after that one's ENI came (its pods addressed), so it needs an ENI of its own. Grouping
     * by node alone let a pod of a rolling update's last batch ride on an ENI its node asked for minutes before,
     * whose addresses earlier pods had long taken.
     */
    static List<double[]> requests(List<Arrival> arrivals, int perEni) {
        Instant start = arrivals.stream().map(Arrival::bound).min(Comparator.naturalOrder()).orElseThrow();
        Map<String, double[]> open = new HashMap<>(); // {release seconds, pods, the last pod's shortfall}
        List<double[]> requests = new ArrayList<>();
        arrivals.stream().filter(a -> a.need() == Need.ENI).sorted(Comparator.comparing(Arrival::bound))
                .forEach(a -> {
                    double[] current = open.get(a.node());
                    if (current == null || current[1] >= perEni || a.shortfall() <= current[2]) {
                        current = new double[] {Duration.between(start, a.bound()).toNanos() / 1e9, 0, 0};
                        open.put(a.node(), current);
                        requests.add(current);
                    }
                    current[1]++;
                    current[2] = a.shortfall();
                });
        return requests;
    }

    /** At most the pods of the ENI requests that can have their create within {@code x - floor} of release. */
    static long served(List<double[]> requests, Ec2 ec2, long xMillis) {
        double window = (xMillis - ec2.floor().toMillis()) / 1000.0;
        if (window < 0) {
            return 0;
        }
        CreateBucket bucket = new CreateBucket(ec2);
        List<Double> fitting = new ArrayList<>();
        for (double[] request : requests) { // in release order
            double release = request[0];
            double tokenAt = bucket.nextToken(release);
            if (tokenAt - release <= window + 1e-9) {
                bucket.take(tokenAt);
                fitting.add(request[1]);
            }
        }
        // Any set of requests that fit is no larger than this one, and no set of that size has more pods than
        // the largest requests.
        List<Double> largest = requests.stream().map(r -> r[1]).sorted(Comparator.reverseOrder()).toList();
        long pods = 0;
        for (int i = 0; i < fitting.size(); i++) {
            pods += largest.get(i).longValue();
        }
        return pods;
    }

    /** EC2's create bucket, handing tokens out in time order: full at second 0. */
    private static final class CreateBucket {
        private final Ec2 ec2;
        private double tokens;
        private double last;

        CreateBucket(Ec2 ec2) {
            this.ec2 = ec2;
            this.tokens = ec2.createCapacity();
        }

        /** When the next token is there for a request released at {@code release} (seconds), no earlier than the last. */
        double nextToken(double release) {
            double at = Math.max(release, last);
            double level = level(at);
            return level >= 1 ? at : at + (1 - level) / ec2.createPerSecond();
        }

        /** Spends the token of {@code at}, a time {@link #nextToken} gave. */
        void take(double at) {
            tokens = level(at) - 1;
            last = at;
        }

        private double level(double at) {
            return Math.min(ec2.createCapacity(), tokens + (at - last) * ec2.createPerSecond());
        }
    }
}
