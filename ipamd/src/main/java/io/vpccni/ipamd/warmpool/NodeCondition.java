package io.vpccni.ipamd.warmpool;

/** Node states that suppress pool growth (and ENI release), as in aws-vpc-cni. */
public enum NodeCondition {
    /** ipamd is shutting down. */
    TERMINATING,
    /** The node carries node.kubernetes.io/unschedulable:NoSchedule. */
    UNSCHEDULABLE
}
