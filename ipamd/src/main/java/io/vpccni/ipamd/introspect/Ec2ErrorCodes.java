package io.vpccni.ipamd.introspect;

import java.util.Map;
import java.util.Set;

/**
 * Which EC2 error codes mean throttling or a missing permission, for the counts in /v1/pool.
 * {@link io.vpccni.eni.guard.Ec2CallStats} keys errors by code (or by the failure's class name when EC2 gave no
 * code), so the classification is repeated from eni-manager's AwsErrors, whose sets are private.
 */
final class Ec2ErrorCodes {

    static final Set<String> THROTTLING = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException",
            "TooManyRequestsException", "RequestThrottled", "SlowDown", "EC2ThrottledException", "Throttled");
    static final Set<String> PERMISSION = Set.of("UnauthorizedOperation", "AuthFailure", "AccessDenied",
            "AccessDeniedException", "Blocked", "OptInRequired", "PermissionDenied");

    private Ec2ErrorCodes() {}

    /** Sum of the counts in {@code errors} (keyed "Operation/Code") whose code is in {@code codes}. */
    static long count(Map<String, Long> errors, Set<String> codes) {
        return errors.entrySet().stream()
                .filter(e -> codes.contains(e.getKey().substring(e.getKey().indexOf('/') + 1)))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
