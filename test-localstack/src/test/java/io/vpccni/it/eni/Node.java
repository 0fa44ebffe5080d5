package io.vpccni.it.eni;

import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.limits.InstanceLimitsSource;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.it.faults.FaultInjector;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/** One emulated node for a test: its own VPC, subnet and m5.large instance, and the production EC2 stack. */
final class Node implements AutoCloseable {

    final Ec2Client raw = LocalStack.rawClient();
    final FaultInjector faults = new FaultInjector();
    final Ec2CallStats stats = new Ec2CallStats();
    final AwsEc2Api ec2 = new AwsEc2Api(LocalStack.client(List.of(faults)), LocalStack.fastGuard(stats));
    final TestVpc vpc = TestVpc.create(raw);
    final String subnetId = vpc.subnet(0, Map.of());
    final Instance instance = vpc.instance(subnetId, "m5.large");
    final InstanceIdentity identity = new InstanceIdentity(instance.instanceId(), "m5.large", TestVpc.ZONE,
            "us-east-1", "", instance.privateIpAddress());

    InstanceLimits limits(int maxEni) {
        return new InstanceLimitsSource(ec2).limitsFor("m5.large", maxEni);
    }

    EniManager manager(EniManagerSettings settings) {
        return new EniManager(ec2, identity, limits(settings.maxEni()), settings, Clock.systemUTC(),
                new EniManager.DeleteRetry(3, Duration.ofMillis(50), Duration.ofMillis(200)));
    }

    @Override
    public void close() {
        vpc.close();
        faults.close();
    }
}
