package io.vpccni.eni.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.model.InstanceLimits;
import org.junit.jupiter.api.Test;

/** Instance-type limits from DescribeInstanceTypes, on the in-memory EC2. */
class InstanceLimitsSourceTest {

    private final FakeEc2Api ec2 = new FakeEc2Api();
    private final InstanceLimitsSource source = new InstanceLimitsSource(ec2);

    @Test
    void asksEc2OncePerTypeAndAppliesMaxEni() {
        InstanceLimits limits = source.limitsFor("m5.large", -1);
        InstanceLimits capped = source.limitsFor("m5.large", 2);

        assertThat(limits.maxEnis()).isEqualTo(3);
        assertThat(limits.ipv4PerEni()).isEqualTo(10);
        assertThat(limits.maxPods()).isEqualTo(29);
        assertThat(limits.prefixDelegationSupported()).isTrue();
        assertThat(capped.maxEnis()).isEqualTo(2);
        assertThat(ec2.calls("DescribeInstanceTypes")).isEqualTo(1);
    }

    @Test
    void anInstanceTypeEc2DoesNotKnowIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> source.limitsFor("x9.huge", -1))
                .isInstanceOfSatisfying(Ec2Failure.Other.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InvalidInstanceType"))
                .hasMessageContaining("x9.huge");
    }
}
