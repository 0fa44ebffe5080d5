package io.vpccni.ipamd.app;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.netlink.api.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The MAC of an ENI by id, as instance metadata reports it: {@link KernelNodeNetworking} finds an ENI's link by
 * its MAC. Every MAC a metadata walk shows is remembered, since an ENI keeps its MAC for life: bringing up n ENIs
 * at start takes one walk instead of n (each walk is a few requests per ENI, and metadata limits its request
 * rate), and an ENI that has already left the instance is torn down by the MAC it had rather than waited for.
 * An ENI not seen yet, just attached, is waited for: EC2 shows it in metadata a few seconds after attaching it.
 */
final class MetadataMacs implements Function<String, MacAddress> {

    /** 20 walks 500 ms apart. */
    static final LinkRetry NEW_ENI = new LinkRetry(20, Duration.ofMillis(500), LinkRetry.Sleeper.THREAD);

    private final InstanceMetadata metadata;
    private final LinkRetry wait;
    private final Map<String, MacAddress> known = new ConcurrentHashMap<>();

    MetadataMacs(InstanceMetadata metadata, LinkRetry wait) {
        this.metadata = metadata;
        this.wait = wait;
    }

    @Override
    public MacAddress apply(String eniId) {
        MacAddress mac = known.get(eniId);
        for (int walks = 0; mac == null; walks++) {
            if (walks == wait.attempts()) {
                throw new IllegalStateException(eniId + " did not appear in instance metadata after " + walks
                        + " looks " + wait.interval() + " apart");
            }
            if (walks > 0) {
                pause();
            }
            learn(metadata.enis());
            mac = known.get(eniId);
        }
        return mac;
    }

    /** Remembers the MACs of a walk made by someone else, such as the daemon's start, so none is walked again. */
    void learn(List<EniMetadata> walk) {
        for (EniMetadata eni : walk) {
            known.putIfAbsent(eni.interfaceId(), MacAddress.parse(eni.mac()));
        }
    }

    private void pause() {
        try {
            wait.sleeper().sleep(wait.interval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an ENI in instance metadata", e);
        }
    }
}
