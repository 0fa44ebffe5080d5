/**
 * The AWS SDK v2 implementation of {@link io.vpccni.eni.port.Ec2Api}: {@code AwsEc2Api} maps requests and replies
 * ({@code Ec2Mapping}), {@code AwsErrors} classifies SDK exceptions into {@code Ec2Failure}, {@code Ec2Clients} builds
 * the SDK client (URL-connection HTTP client, endpoint override). Every call goes through {@code eni.guard.Ec2Guard},
 * and its SDK exceptions are classified inside each attempt, so the guard sees only {@code Ec2Failure}s.
 *
 * <p>I/O: HTTPS to EC2 (or the endpoint in {@code AWS_ENDPOINT_URL_EC2}).
 *
 * <p>Used by {@code ipamd.app} (the composition root) and test-localstack's {@code it.localstack}; eni-manager's
 * in-memory EC2 (tests) raises its faults through {@code AwsErrors}. It depends on {@code eni.guard}, never the
 * reverse. In eni-manager, the only package besides {@code eni.imds} that imports the SDK.
 */
package io.vpccni.eni.aws;
