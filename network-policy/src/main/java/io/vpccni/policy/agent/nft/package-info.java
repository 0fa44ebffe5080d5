/**
 * The model in the kernel: {@code NftScript} renders the table {@code inet vpccni_policy} as one nft transaction
 * (pure), {@code NftApplier} runs Debian's {@code nft} with bounded time and reads the drop counters (I/O: a process;
 * CAP_NET_ADMIN).
 *
 * <p>Used by {@code policy.agent}, the enforcement tests and the benchmark.
 */
package io.vpccni.policy.agent.nft;
