package io.vpccni.ipamd.k8s;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.eni.guard.BudgetShards;
import io.vpccni.eni.guard.ShardStore;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * The EC2 budget's shards as {@code coordination.k8s.io} Leases in ipamd's namespace (VPC_CNI_EC2_BUDGET_LEASES):
 * the node that took from a shard last is {@code spec.holderIdentity}, when {@code spec.renewTime}, the tokens it left
 * the annotation {@value #TOKENS} (below zero: tokens reserved by nodes waiting for them), its version the Lease's resourceVersion. A take is a create (the shard's first)
 * or an update carrying the resourceVersion the node read: the API server refuses it with 409 when another node
 * changed the Lease in between, so of two nodes taking one shard exactly one wins, with no service of our own. A
 * shard deleted since the node read it (an administrator resetting the budget) is taken again, never mistaken for
 * an unreachable store.
 * Every call is in {@link RequiredPermissions#leases()}: leases get, create and update, in this namespace only.
 */
final class LeaseShardStore implements ShardStore {

    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "vpc-cni",
            "app.kubernetes.io/component", "ec2-budget");

    /** The shard's tokens after its last take (a decimal number). */
    static final String TOKENS = "vpc-cni.io/ec2-budget-tokens";

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
    public Optional<BudgetShards.Shard> take(BudgetShards.Shard seen, String holder, Instant now, double tokensLeft) {
        // leaseDurationSeconds is for people reading the Lease (a second: the budget reads the tokens, not this).
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(seen.name()).withNamespace(namespace).withLabels(LABELS)
                .withAnnotations(Map.of(TOKENS, Double.toString(tokensLeft)))
                .withResourceVersion(seen.version().orElse(null)).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withRenewTime(now.atZone(ZoneOffset.UTC))
                .withAcquireTime(now.atZone(ZoneOffset.UTC)).withLeaseDurationSeconds(1)
                .endSpec().build();
        try {
            var resource = client.leases().inNamespace(namespace).resource(lease);
            return Optional.of(shard(seen.version().isEmpty() ? resource.create() : resource.update()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return Optional.empty(); // another node took it (or created it) first
            }
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && seen.version().isPresent()) {
                // Deleted since it was read (the budget reset): changed, to be read again and created, not a store
                // that cannot be reached. kube-apiserver creates it instead (Leases allow create on update); an
                // API server that does not, fabric8's mock among them, answers this.
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A shard whose annotation someone broke counts as empty: it fills again with time. Below zero are the tokens
     * nodes reserved and wait for (read as zero, the shard would hand them out a second time).
     */
    static double tokens(String text) {
        try {
            double tokens = Double.parseDouble(text);
            return Double.isFinite(tokens) ? tokens : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static BudgetShards.Shard shard(Lease lease) {
        var spec = lease.getSpec();
        Optional<String> holder = Optional.ofNullable(spec == null ? null : spec.getHolderIdentity())
                .filter(h -> !h.isEmpty());
        Instant renewed = spec == null || spec.getRenewTime() == null ? Instant.EPOCH
                : spec.getRenewTime().toInstant();
        double tokens = Optional.ofNullable(lease.getMetadata().getAnnotations()).map(a -> a.get(TOKENS))
                .map(LeaseShardStore::tokens).orElse(0.0);
        return new BudgetShards.Shard(lease.getMetadata().getName(), holder, renewed, tokens,
                Optional.ofNullable(lease.getMetadata().getResourceVersion()));
    }
}
