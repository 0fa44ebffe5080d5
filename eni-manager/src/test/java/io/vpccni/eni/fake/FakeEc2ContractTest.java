package io.vpccni.eni.fake;

import io.vpccni.eni.contract.Ec2ContractSuite;
import io.vpccni.eni.contract.Ec2World;

/** The EC2 contract suite against the in-memory EC2; the fake's own hooks are tested in FakeEc2ApiTest. */
class FakeEc2ContractTest extends Ec2ContractSuite {

    @Override
    protected Ec2World newWorld() {
        return new FakeEc2World(new FakeEc2Api());
    }
}
