package io.vpccni.eni.aws;

import io.vpccni.eni.error.Ec2Failure;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Translates SDK exceptions into {@link Ec2Failure}: the one place that knows EC2's error codes. */
public final class AwsErrors {

    private static final Set<String> THROTTLING =
            Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException",
                    "RequestThrottled", "SlowDown", "EC2ThrottledException");
    private static final Set<String> SUBNET_FULL =
            Set.of("InsufficientFreeAddressesInSubnet", "InsufficientCidrBlocks");
    private static final Set<String> LIMIT =
            Set.of("AttachmentLimitExceeded", "PrivateIpAddressLimitExceeded", "NetworkInterfaceLimitExceeded");
    private static final Set<String> PERMISSION =
            Set.of("UnauthorizedOperation", "AuthFailure", "AccessDenied", "AccessDeniedException",
                    "Blocked", "OptInRequired");

    private AwsErrors() {}

    public static Ec2Failure classify(String operation, Throwable error) {
        if (error instanceof Ec2Failure failure) {
            return failure;
        }
        if (error instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "" : nullToEmpty(service.awsErrorDetails().errorCode());
            String message = service.awsErrorDetails() == null
                    ? service.getMessage() : nullToEmpty(service.awsErrorDetails().errorMessage());
            if (THROTTLING.contains(code) || service.isThrottlingException()) {
                return new Ec2Failure.Throttled(operation, code, message, error);
            }
            if (SUBNET_FULL.contains(code)) {
                return new Ec2Failure.SubnetFull(operation, code, message, error);
            }
            if (LIMIT.contains(code)) {
                return new Ec2Failure.LimitExceeded(operation, code, message, error);
            }
            if (PERMISSION.contains(code) || service.statusCode() == 403) {
                return new Ec2Failure.PermissionDenied(operation, code, message, error);
            }
            if (code.endsWith(".NotFound")) {
                return new Ec2Failure.NotFound(operation, code, message, error);
            }
            if (service.statusCode() >= 500) {
                return new Ec2Failure.Unavailable(operation, code.isEmpty() ? "HTTP " + service.statusCode() : code,
                        message, error);
            }
            return new Ec2Failure.Other(operation, code, message, error);
        }
        if (error instanceof ApiCallTimeoutException || error instanceof SdkClientException) {
            return new Ec2Failure.Unavailable(operation, "", String.valueOf(error.getMessage()), error);
        }
        return new Ec2Failure.Other(operation, "", String.valueOf(error), error);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
