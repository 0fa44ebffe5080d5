/**
 * Fleet in a box (issue 19): hundreds of nodes, each running ipamd's real control plane (pool policy, pool
 * maintainer, ENI manager behind its EC2 guard, datastore, start-up and periodic ENI sync) without sockets or a data
 * plane, all on one account's in-memory EC2 with its latencies and token buckets, in virtual time driven by a
 * discrete-event loop ({@code VirtualTime}); {@code FleetSimulation} runs the workloads and measures what the
 * pods and the account see, for our daemon and for a model of aws-vpc-cni's behaviour.
 */
package io.vpccni.ipamd.fleet;
