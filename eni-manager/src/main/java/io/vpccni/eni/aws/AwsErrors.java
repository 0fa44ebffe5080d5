package io.vpccni.eni.aws;

import io.vpccni.eni.error.Ec2Failure;
import java.util.Set;

/** Translates the EC2 client's exceptions into {@link Ec2Failure}: the one place that knows EC2's error codes. */
public final class AwsErrors {

    /** EC2's and the AWS SDK's throttling codes (the SDK's AwsErrorCode.THROTTLING_ERROR_CODES included). */
    private static final Set<String> THROTTLING =
            Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException", "ThrottledException",
                    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
                    "EC2ThrottledException", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
                    "TransactionInProgressException");
    private static final Set<String> SUBNET_FULL =
            Set.of("InsufficientFreeAddressesInSubnet", "InsufficientCidrBlocks");
    private static final Set<String> LIMIT =
            Set.of("AttachmentLimitExceeded", "PrivateIpAddressLimitExceeded", "NetworkInterfaceLimitExceeded");
    private static final Set<String> PERMISSION =
            Set.of("UnauthorizedOperation", "AuthFailure", "AccessDenied", "AccessDeniedException",
                    "Blocked", "OptInRequired");

    private AwsErrors() {}

    public static Ec2Failure classify(String operation, Throwable error) {
        return switch (error) {
            case Ec2Failure failure -> failure;
            case Ec2QueryException.ServiceError service -> service(operation, service);
            case Ec2QueryException.NoAnswer none ->
                    new Ec2Failure.Unavailable(operation, "", String.valueOf(none.getMessage()), error);
            default -> new Ec2Failure.Other(operation, "", String.valueOf(error), error);
        };
    }

    private static Ec2Failure service(String operation, Ec2QueryException.ServiceError service) {
        String code = service.errorCode();
        String message = service.errorMessage();
        int status = service.httpStatus();
        if (THROTTLING.contains(code) || status == 429) {
            return new Ec2Failure.Throttled(operation, code, message, service);
        }
        if (SUBNET_FULL.contains(code)) {
            return new Ec2Failure.SubnetFull(operation, code, message, service);
        }
        if (LIMIT.contains(code)) {
            return new Ec2Failure.LimitExceeded(operation, code, message, service);
        }
        if (PERMISSION.contains(code) || status == 403) {
            return new Ec2Failure.PermissionDenied(operation, code, message, service);
        }
        if (code.endsWith(".NotFound")) {
            return new Ec2Failure.NotFound(operation, code, message, service);
        }
        if (status >= 500) {
            return new Ec2Failure.Unavailable(operation, code.isEmpty() ? "HTTP " + status : code, message, service);
        }
        return new Ec2Failure.Other(operation, code, message, service);
    }
}
