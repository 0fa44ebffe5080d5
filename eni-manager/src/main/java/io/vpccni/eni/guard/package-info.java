/**
 * The one path every EC2 call takes: {@code Ec2Guard} applies a client-side rate limit, retries with jittered
 * exponential backoff on throttling and transient failures only, and a circuit breaker (Resilience4j); with
 * {@code Settings.withAdaptiveRate()} its rate follows EC2's throttles ({@code AdaptiveRate}, a pure AIMD decision);
 * with a {@code CallBudget} it waits for the cluster's share of the account's EC2 budget ({@code ShardedBudget}:
 * shards in a {@code ShardStore} every node sees, Kubernetes Leases in the daemon; {@code BudgetShards}, the pure
 * decision of which shard to take, read or wait for);
 * {@code Ec2CallStats} counts calls, errors and latencies per API for metrics and the status command, the latencies
 * also in a {@code LatencyHistogram} (fixed buckets, lock-free recording), which ipamd uses for its plugin requests too.
 *
 * <p>No I/O of its own: it runs the call it is given, waits between retries, and reaches the shards through the
 * {@code ShardStore} port it is given. It knows nothing of the AWS SDK: the
 * call it runs throws {@code Ec2Failure}s ({@code eni.aws} classifies the SDK's exceptions).
 *
 * <p>Used by {@code eni.aws}, {@code ipamd.app}, {@code ipamd.introspect}, {@code ipamd.k8s} (the Lease store), {@code ipamd.rpc} (LatencyHistogram) and test-localstack's
 * {@code it.localstack}.
 */
package io.vpccni.eni.guard;
