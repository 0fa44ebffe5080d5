package io.vpccni.eni.guard;

import io.vpccni.eni.error.Ec2Failure;
import java.time.Duration;
import java.util.Optional;

/** Told about every EC2 request that went out (each retry attempt counts), for metrics and call budgets. */
public interface Ec2CallObserver {

    void called(String operation, Duration latency, Optional<Ec2Failure> failure);

    Ec2CallObserver NONE = (operation, latency, failure) -> {};
}
