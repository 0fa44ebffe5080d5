/**
 * eni-manager's value types, in our terms rather than the AWS SDK's: {@code Eni} (with aws-vpc-cni's tag names and
 * description, docs/node-contract.md), {@code EniMetadata}, {@code InstanceIdentity}, {@code InstanceLimits},
 * {@code Subnet}.
 *
 * <p>Pure: no I/O.
 *
 * <p>Used by every eni-manager package and by ipamd ({@code app}, {@code introspect}, {@code k8s}, {@code pool},
 * {@code reconcile}).
 */
package io.vpccni.eni.model;
