package io.vpccni.ipamd.k8s;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.eni.guard.BudgetShards;
import io.vpccni.eni.guard.ShardStore;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * The EC2 budget's shards as {@code coordination.k8s.io} Leases in ipamd's namespace (VPC_CNI_EC2_BUDGET_LEASES):
 * a shard's holder is {@code spec.holderIdentity}, its term {@code spec.renewTime} and
 * {@code spec.leaseDurationSeconds}, its version the Lease's resourceVersion. A take is a create (the shard's first)
 * or an update carrying the resourceVersion the node read: the API server refuses it with 409 when another node
 * changed the Lease in between, so of two nodes taking one shard exactly one wins, with no service of our own.
 * Every call is in {@link RequiredPermissions#leases()}: leases get, create and update, in this namespace only.
 */
final class LeaseShardStore implements ShardStore {

    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "vpc-cni",
            "app.kubernetes.io/component", "ec2-budget");

    private final KubernetesClient client;
    private final String namespace;

    LeaseShardStore(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    // RequiredPermissions: leases get.
    @Override
    public BudgetShards.Shard read(String name) {
        Lease lease = client.leases().inNamespace(namespace).withName(name).get();
        return lease == null ? BudgetShards.Shard.absent(name) : shard(lease);
    }

    // RequiredPermissions: leases create, update.
    @Override
    public Optional<BudgetShards.Shard> take(BudgetShards.Shard seen, String holder, Instant now, Duration term) {
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(seen.name()).withNamespace(namespace).withLabels(LABELS)
                .withResourceVersion(seen.version().orElse(null)).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withRenewTime(now.atZone(ZoneOffset.UTC))
                .withAcquireTime(now.atZone(ZoneOffset.UTC)).withLeaseDurationSeconds((int) term.toSeconds())
                .endSpec().build();
        try {
            var resource = client.leases().inNamespace(namespace).resource(lease);
            return Optional.of(shard(seen.version().isEmpty() ? resource.create() : resource.update()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return Optional.empty(); // another node took it (or created it) first
            }
            throw e;
        }
    }

    private static BudgetShards.Shard shard(Lease lease) {
        var spec = lease.getSpec();
        Optional<String> holder = Optional.ofNullable(spec == null ? null : spec.getHolderIdentity())
                .filter(h -> !h.isEmpty());
        Instant renewed = spec == null || spec.getRenewTime() == null ? Instant.EPOCH
                : spec.getRenewTime().toInstant();
        Duration term = Duration.ofSeconds(spec == null || spec.getLeaseDurationSeconds() == null ? 0
                : spec.getLeaseDurationSeconds());
        return new BudgetShards.Shard(lease.getMetadata().getName(), holder, renewed, term,
                Optional.ofNullable(lease.getMetadata().getResourceVersion()));
    }
}
