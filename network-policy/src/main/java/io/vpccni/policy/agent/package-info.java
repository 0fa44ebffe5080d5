/**
 * The node agent: {@code PolicyAgent} holds the PolicyEndpoints that concern this node and its pods and keeps the
 * kernel's table equal to their model, on one worker thread; the watcher ({@code policy.agent.k8s}) and ipamd's pod
 * ADD and DEL feed it. I/O through {@code policy.agent.nft}.
 *
 * <p>Used by ipamd ({@code ipamd.policy}), which starts it with ENABLE_NETWORK_POLICY=true, and by tests.
 */
package io.vpccni.policy.agent;
