package io.vpccni.eni.model;

/**
 * Network limits of an instance type, as DescribeInstanceTypes reports them.
 *
 * @param maxEnis network interfaces the instance can attach (all network cards)
 * @param ipv4PerEni IPv4 addresses per ENI, the ENI's primary address included
 */
public record InstanceLimits(
        String instanceType, int maxEnis, int ipv4PerEni, int networkCards, boolean prefixDelegationSupported) {

    public InstanceLimits {
        if (maxEnis < 1 || ipv4PerEni < 1) {
            throw new IllegalArgumentException(
                    "instance type " + instanceType + " reports " + maxEnis + " ENIs and " + ipv4PerEni + " IPv4 per ENI");
        }
    }

    /** The same instance with MAX_ENI applied: values of 0 or less mean "no cap", larger ones are clamped. */
    public InstanceLimits withMaxEni(int maxEni) {
        if (maxEni <= 0 || maxEni >= maxEnis) {
            return this;
        }
        return new InstanceLimits(instanceType, maxEni, ipv4PerEni, networkCards, prefixDelegationSupported);
    }

    /** Secondary addresses (or /28 prefixes) one ENI can carry: all but its primary address. */
    public int secondarySlotsPerEni() {
        return ipv4PerEni - 1;
    }

    /** The kubelet max-pods formula of eni-max-pods.txt: ENIs * (IPv4 per ENI - 1) + 2. */
    public int maxPods() {
        return maxEnis * (ipv4PerEni - 1) + 2;
    }

    /**
     * Max pods as aws-vpc-cni's max-pods calculator gives them: in prefix mode every slot is a /28, so
     * ENIs * (IPv4 per ENI - 1) * 16 + 2, capped at the 250 pods kubelet is recommended for at most (the calculator
     * caps at 110 below 30 vCPUs, which DescribeInstanceTypes' network limits do not tell; holding a few addresses
     * more than such a node schedules costs less than a pool that stops short of it).
     */
    public int maxPods(boolean prefixDelegation) {
        return prefixDelegation ? Math.min(250, maxEnis * (ipv4PerEni - 1) * 16 + 2) : maxPods();
    }
}
