package io.vpccni.ipamd.config;

import java.util.List;

/**
 * Every environment variable ipamd reads, with aws-vpc-cni v1.23's names and defaults (our own keys start with
 * VPC_CNI_). The README and the DaemonSet are checked against {@link #ALL}.
 */
public final class ConfigKeys {

    private ConfigKeys() {}

    // --- warm pool ---
    public static final ConfigKey WARM_ENI_TARGET = new ConfigKey("WARM_ENI_TARGET", "1",
            "Free ENIs' worth of IPs to keep (secondary-IP mode, no IP targets). 0 allowed.");
    public static final ConfigKey WARM_IP_TARGET = new ConfigKey("WARM_IP_TARGET", "",
            "Free IPs to keep. Unset or 0 means not set. Overrides WARM_ENI_TARGET and WARM_PREFIX_TARGET.");
    public static final ConfigKey MINIMUM_IP_TARGET = new ConfigKey("MINIMUM_IP_TARGET", "",
            "Floor on total IPs in the pool. Unset or 0 means not set.");
    public static final ConfigKey WARM_PREFIX_TARGET = new ConfigKey("WARM_PREFIX_TARGET", "",
            "Free /28 prefixes to keep with prefix delegation. Unset means 0.");
    public static final ConfigKey ENABLE_PREFIX_DELEGATION = new ConfigKey("ENABLE_PREFIX_DELEGATION", "false",
            "Pool /28 prefixes instead of secondary IPs.");
    public static final ConfigKey MAX_ENI = new ConfigKey("MAX_ENI", "",
            "Most ENIs to attach; unset or 0 means the instance type's limit, which also caps it. Negative is rejected.");
    public static final ConfigKey IP_COOLDOWN_PERIOD = new ConfigKey("IP_COOLDOWN_PERIOD", "30",
            "Seconds a released IP stays unassignable (and not counted as available).");
    public static final ConfigKey AWS_MANAGE_ENIS_NON_SCHEDULABLE = new ConfigKey("AWS_MANAGE_ENIS_NON_SCHEDULABLE",
            "false", "Keep allocating and freeing ENIs while the node is unschedulable.");
    public static final ConfigKey DISABLE_NETWORK_RESOURCE_PROVISIONING = new ConfigKey(
            "DISABLE_NETWORK_RESOURCE_PROVISIONING", "false", "Never create or attach ENIs nor assign IPs; use what is there.");
    public static final ConfigKey VPC_CNI_ADD_WAIT = new ConfigKey("VPC_CNI_ADD_WAIT", "20s",
            "(ours) How long at most an add waits for the pool to refill before failing with try-again-later, up to"
                    + " 25s (the plugin waits 30 s for ipamd's answer); it fails at once when the pool's grow attempt"
                    + " for it fails for a reason that holds (subnet full, a limit, a permission), not on EC2's"
                    + " throttle, which the next pool period retries.");

    public static final ConfigKey WARM_POOL_FOR_BOUND_PODS = new ConfigKey("WARM_POOL_FOR_BOUND_PODS", "false",
            "(ours) Grow the pool for pods bound to the node whose ADD has not come yet, before it comes (needs"
                    + " MY_NODE_NAME); the warm targets can then be lowered.");

    // --- ENIs ---
    public static final ConfigKey AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG = new ConfigKey(
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "false", "Use the node's ENIConfig subnet and security groups for pod ENIs.");
    public static final ConfigKey ENI_CONFIG_LABEL_DEF = new ConfigKey("ENI_CONFIG_LABEL_DEF",
            "k8s.amazonaws.com/eniConfig", "Node label whose value names the ENIConfig.");
    public static final ConfigKey ENI_CONFIG_ANNOTATION_DEF = new ConfigKey("ENI_CONFIG_ANNOTATION_DEF",
            "k8s.amazonaws.com/eniConfig", "Node annotation whose value names the ENIConfig; wins over the label.");
    public static final ConfigKey CLUSTER_NAME = new ConfigKey("CLUSTER_NAME", "",
            "When set, ENIs get the tag cluster.k8s.amazonaws.com/name=<value>.");
    public static final ConfigKey ADDITIONAL_ENI_TAGS = new ConfigKey("ADDITIONAL_ENI_TAGS", "{}",
            "JSON object of extra ENI tags; keys must not start with k8s.amazonaws.com.");
    public static final ConfigKey DISABLE_LEAKED_ENI_CLEANUP = new ConfigKey("DISABLE_LEAKED_ENI_CLEANUP", "false",
            "Do not delete leaked ENIs of this cluster.");
    public static final ConfigKey ENABLE_SUBNET_DISCOVERY = new ConfigKey("ENABLE_SUBNET_DISCOVERY", "true",
            "Pick new ENIs' subnets among the tagged subnets of the node's VPC and AZ.");
    public static final ConfigKey MANAGE_UNTAGGED_ENI = new ConfigKey("MANAGE_UNTAGGED_ENI", "true",
            "Treat attached ENIs without our tags as ours (false: leave them alone).");
    public static final ConfigKey AWS_VPC_ENI_MTU = new ConfigKey("AWS_VPC_ENI_MTU", "9001",
            "MTU of attached ENIs, 576 to 9001.");
    public static final ConfigKey VPC_CNI_EC2_BUDGET_LEASES = new ConfigKey("VPC_CNI_EC2_BUDGET_LEASES", "false",
            "(ours) Share the account's EC2 budget for the pool's mutating calls with the other nodes through"
                    + " coordination.k8s.io Leases in ipamd's namespace (needs MY_NODE_NAME and the Lease Role); a node"
                    + " that cannot reach the API server goes on its own rate limit.");

    // --- host networking ---
    public static final ConfigKey AWS_VPC_K8S_CNI_EXTERNALSNAT = new ConfigKey("AWS_VPC_K8S_CNI_EXTERNALSNAT",
            "false", "Leave SNAT of off-VPC traffic to an external NAT device.");
    public static final ConfigKey AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS = new ConfigKey(
            "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "", "Comma-separated IPv4 CIDRs never SNATed.");
    public static final ConfigKey AWS_VPC_K8S_CNI_RANDOMIZESNAT = new ConfigKey("AWS_VPC_K8S_CNI_RANDOMIZESNAT",
            "prng", "SNAT port randomisation: prng (--random-fully), hashrandom (--random) or none.");
    public static final ConfigKey AWS_EXTERNAL_SERVICE_CIDRS = new ConfigKey("AWS_EXTERNAL_SERVICE_CIDRS", "",
            "Comma-separated IPv4 CIDRs always routed through the main table (rule priority 1535).");
    public static final ConfigKey AWS_VPC_CNI_NODE_PORT_SUPPORT = new ConfigKey("AWS_VPC_CNI_NODE_PORT_SUPPORT",
            "true", "Mark NodePort traffic so replies leave by the primary ENI.");
    public static final ConfigKey POD_MTU = new ConfigKey("POD_MTU", "",
            "MTU of pod interfaces, 576 to 9001; unset means AWS_VPC_ENI_MTU.");
    public static final ConfigKey AWS_VPC_K8S_CNI_VETHPREFIX = new ConfigKey("AWS_VPC_K8S_CNI_VETHPREFIX", "eni",
            "Host veth name prefix, 1 to 4 characters (11 hex characters follow), not eth, lo or vlan.");
    public static final ConfigKey AWS_VPC_K8S_CNI_CONNMARK = new ConfigKey("AWS_VPC_K8S_CNI_CONNMARK", "0x80",
            "Connection mark for traffic entering by the primary ENI, 1 to 0xffffffff.");

    // --- the daemon ---
    public static final ConfigKey AWS_VPC_K8S_CNI_LOGLEVEL = new ConfigKey("AWS_VPC_K8S_CNI_LOGLEVEL", "DEBUG",
            "ipamd log level: DEBUG, INFO, WARN, ERROR or FATAL (any case).");
    public static final ConfigKey AWS_VPC_K8S_CNI_LOG_FILE = new ConfigKey("AWS_VPC_K8S_CNI_LOG_FILE",
            "/var/log/vpc-cni/ipamd.log", "ipamd log file, or stdout or stderr.");
    public static final ConfigKey AWS_VPC_K8S_PLUGIN_LOG_FILE = new ConfigKey("AWS_VPC_K8S_PLUGIN_LOG_FILE",
            "/var/log/vpc-cni/plugin.log", "Plugin log file, or stderr (stdout would corrupt CNI results).");
    public static final ConfigKey AWS_VPC_K8S_PLUGIN_LOG_LEVEL = new ConfigKey("AWS_VPC_K8S_PLUGIN_LOG_LEVEL",
            "DEBUG", "Plugin log level: DEBUG, INFO, WARN, ERROR or FATAL (any case).");
    public static final ConfigKey DISABLE_INTROSPECTION = new ConfigKey("DISABLE_INTROSPECTION", "false",
            "Do not serve the introspection endpoints.");
    public static final ConfigKey INTROSPECTION_BIND_ADDRESS = new ConfigKey("INTROSPECTION_BIND_ADDRESS",
            "127.0.0.1:61679", "host:port (or unix:<path>) of the introspection server.");
    public static final ConfigKey DISABLE_METRICS = new ConfigKey("DISABLE_METRICS", "false",
            "Do not serve Prometheus metrics.");
    public static final ConfigKey METRICS_BIND_ADDRESS = new ConfigKey("METRICS_BIND_ADDRESS", "127.0.0.1:61678",
            "host:port of the metrics server (upstream binds :61678, all interfaces; we default to loopback).");
    public static final ConfigKey AWS_VPC_K8S_CNI_BACKING_STORE = new ConfigKey("AWS_VPC_K8S_CNI_BACKING_STORE",
            "/var/run/aws-node/ipam.json", "Checkpoint file of assignments, shared format with aws-node.");
    public static final ConfigKey ANNOTATE_POD_IP = new ConfigKey("ANNOTATE_POD_IP", "false",
            "Annotate pods with vpc.amazonaws.com/pod-ips.");
    public static final ConfigKey MY_NODE_NAME = new ConfigKey("MY_NODE_NAME", "",
            "This node's name (downward API); needed for the Kubernetes features.");
    public static final ConfigKey VPC_CNI_SOCKET = new ConfigKey("VPC_CNI_SOCKET", "/var/run/vpc-cni/ipamd.sock",
            "(ours) Unix socket the plugin talks to.");
    public static final ConfigKey VPC_CNI_PLUGIN_SERVER = new ConfigKey("VPC_CNI_PLUGIN_SERVER", "true",
            "(ours) Run pods' CNI invocations in this daemon (plugin.sock beside VPC_CNI_SOCKET); false: every "
                    + "invocation starts the standalone Java plugin.");

    // --- network policy (aws-vpc-cni's names; the agent runs inside ipamd) ---
    public static final ConfigKey ENABLE_NETWORK_POLICY = new ConfigKey("ENABLE_NETWORK_POLICY", "false",
            "Enforce Kubernetes NetworkPolicy on this node from PolicyEndpoints (nftables table inet vpccni_policy);"
                    + " needs MY_NODE_NAME.");
    public static final ConfigKey NETWORK_POLICY_ENFORCING_MODE = new ConfigKey("NETWORK_POLICY_ENFORCING_MODE",
            "standard", "standard: a pod no policy selects is open; strict: it is denied both ways, a new pod from"
                    + " before its interface exists.");
    public static final ConfigKey NETWORK_POLICY_ENDPOINT_SOURCE = new ConfigKey("NETWORK_POLICY_ENDPOINT_SOURCE",
            "node-label", "(ours) node-label: watch the PolicyEndpoints labelled vpc-cni.io/node-name=<node> (our"
                    + " controller's); all: watch all of them and keep those with a pod on this node (EKS's).");

    // --- upstream features we do not implement: refuse rather than silently ignore ---
    public static final ConfigKey ENABLE_IPv6 = new ConfigKey("ENABLE_IPv6", "false",
            "IPv6 pods are not supported by vpc-cni-java; must be false.");
    public static final ConfigKey ENABLE_POD_ENI = new ConfigKey("ENABLE_POD_ENI", "false",
            "Security groups for pods are not supported by vpc-cni-java; must be false.");

    public static final List<ConfigKey> ALL = List.of(
            WARM_ENI_TARGET, WARM_IP_TARGET, MINIMUM_IP_TARGET, WARM_PREFIX_TARGET, ENABLE_PREFIX_DELEGATION, MAX_ENI,
            IP_COOLDOWN_PERIOD, AWS_MANAGE_ENIS_NON_SCHEDULABLE, DISABLE_NETWORK_RESOURCE_PROVISIONING, VPC_CNI_ADD_WAIT,
            WARM_POOL_FOR_BOUND_PODS,
            AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, ENI_CONFIG_LABEL_DEF, ENI_CONFIG_ANNOTATION_DEF, CLUSTER_NAME,
            ADDITIONAL_ENI_TAGS, DISABLE_LEAKED_ENI_CLEANUP, ENABLE_SUBNET_DISCOVERY, MANAGE_UNTAGGED_ENI, AWS_VPC_ENI_MTU,
            VPC_CNI_EC2_BUDGET_LEASES,
            AWS_VPC_K8S_CNI_EXTERNALSNAT, AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS, AWS_VPC_K8S_CNI_RANDOMIZESNAT,
            AWS_EXTERNAL_SERVICE_CIDRS, AWS_VPC_CNI_NODE_PORT_SUPPORT, POD_MTU, AWS_VPC_K8S_CNI_VETHPREFIX,
            AWS_VPC_K8S_CNI_CONNMARK, AWS_VPC_K8S_CNI_LOGLEVEL, AWS_VPC_K8S_CNI_LOG_FILE, AWS_VPC_K8S_PLUGIN_LOG_FILE,
            AWS_VPC_K8S_PLUGIN_LOG_LEVEL, DISABLE_INTROSPECTION, INTROSPECTION_BIND_ADDRESS, DISABLE_METRICS,
            METRICS_BIND_ADDRESS, AWS_VPC_K8S_CNI_BACKING_STORE, ANNOTATE_POD_IP, MY_NODE_NAME, VPC_CNI_SOCKET,
            VPC_CNI_PLUGIN_SERVER, ENABLE_NETWORK_POLICY, NETWORK_POLICY_ENFORCING_MODE,
            NETWORK_POLICY_ENDPOINT_SOURCE, ENABLE_IPv6, ENABLE_POD_ENI);
}
