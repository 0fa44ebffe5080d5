/**
 * ipamd's wiring of the network policy agent ({@code io.vpccni.policy.agent}, in the network-policy module):
 * {@code NodeNetworkPolicy} is created by the composition root when ENABLE_NETWORK_POLICY=true, sees the RPC
 * handler's ADD, DEL and GC, and reports the agent's state to introspection and metrics.
 *
 * <p>I/O through the agent (nft, the API server). Used by {@code ipamd.app}.
 */
package io.vpccni.ipamd.policy;
