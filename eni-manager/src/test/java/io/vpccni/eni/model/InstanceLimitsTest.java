package io.vpccni.eni.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Max pods as aws-vpc-cni documents them: eni-max-pods.txt for secondary IPs, max-pods-calculator.sh with
 * --cni-prefix-delegation-enabled for prefixes. Limits are DescribeInstanceTypes' MaximumNetworkInterfaces and
 * Ipv4AddressesPerInterface.
 */
class InstanceLimitsTest {

    static final InstanceLimits T3_MICRO = new InstanceLimits("t3.micro", 2, 2, 1, true);
    static final InstanceLimits M5_LARGE = new InstanceLimits("m5.large", 3, 10, 1, true);
    static final InstanceLimits M5_8XLARGE = new InstanceLimits("m5.8xlarge", 8, 30, 1, true);

    @Test
    void secondaryIpModeIsTheEniMaxPodsFormula() {
        assertThat(T3_MICRO.maxPods(false)).isEqualTo(4);
        assertThat(M5_LARGE.maxPods(false)).isEqualTo(29);
        assertThat(M5_8XLARGE.maxPods(false)).isEqualTo(234);
        assertThat(M5_LARGE.maxPods(false)).isEqualTo(M5_LARGE.maxPods());
    }

    @Test
    void prefixModeCountsSixteenAddressesPerSlotUpToTwoHundredFifty() {
        assertThat(T3_MICRO.maxPods(true)).as("2 ENIs x 1 /28 x 16 + 2, under every cap").isEqualTo(34);
        assertThat(M5_8XLARGE.maxPods(true)).as("8 x 29 x 16 + 2 = 3,714, capped as for 32 vCPUs")
                .isEqualTo(250);
    }

    @Test
    void prefixModeCapsAtTwoHundredFiftyWhereTheCalculatorWouldSayOneHundredTen() {
        // The calculator answers 110 for an m5.large (2 vCPUs); the vCPU count is not in the network limits, so
        // ipamd holds addresses for 250 (3 x 9 x 16 + 2 = 434 uncapped) rather than stop short of a node's max pods.
        assertThat(M5_LARGE.maxPods(true)).isEqualTo(250);
    }

    @Test
    void maxEniLowersBothFormulasAndLimitsBelowOneAreRefusedByName() {
        InstanceLimits oneEni = M5_LARGE.withMaxEni(1);
        assertThat(oneEni.maxPods(false)).isEqualTo(11);
        assertThat(oneEni.maxPods(true)).isEqualTo(146);
        assertThat(M5_LARGE.withMaxEni(0)).isEqualTo(M5_LARGE);
        assertThatThrownBy(() -> new InstanceLimits("x9.tiny", 0, 2, 1, true)).hasMessageContaining("x9.tiny");
    }
}
