package io.vpccni.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of {@link PolicyCases}: the whole matrix the resolved PolicyEndpoints allow is the expected one. */
class PolicyMatrixTest {

    static List<PolicyCases.Case> cases() {
        return PolicyCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theResolvedEndpointsAllowExactlyTheExpectedMatrix(PolicyCases.Case c) {
        MatrixCluster cluster = new MatrixCluster();
        int expectation = 0;
        for (Step step : c.steps()) {
            cluster.apply(step);
            if (step instanceof Step.Expect expect) {
                List<PolicyEndpoint> endpoints = cluster.resolveAll().values().stream()
                        .map(r -> assertThat(r).isInstanceOf(Resolution.Resolved.class)
                                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(
                                        Resolution.Resolved.class)).actual())
                        .flatMap(r -> r.endpoints().stream()).map(ResolvedEndpoint::endpoint).toList();
                assertThat(Reachability.mismatches(endpoints, cluster, expect.reach()))
                        .as("expectation %d of \"%s\"", ++expectation, c.name()).isEmpty();
            }
        }
        assertThat(c.steps().getLast()).isInstanceOf(Step.Expect.class);
    }

    @org.junit.jupiter.api.Test
    void theTableHasAtLeastThirtyCases() {
        assertThat(PolicyCases.all()).hasSizeGreaterThanOrEqualTo(30)
                .extracting(PolicyCases.Case::name).doesNotHaveDuplicates();
    }
}
