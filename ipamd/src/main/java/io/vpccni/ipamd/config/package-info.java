/**
 * ipamd's configuration: every environment variable with its default and description ({@code ConfigKeys}), parsed once
 * into typed records ({@code IpamdConfig} and its parts). An invalid value is an {@code InvalidConfigurationException}
 * naming the variable, the value and what is accepted; nothing is silently defaulted.
 *
 * <p>Pure: parses a {@code Map<String, String>}; only {@code ipamd.app.Main} passes it {@code System.getenv()}.
 *
 * <p>Used by {@code ipamd.app}, {@code hostnet}, {@code introspect}, {@code k8s} and {@code warmpool}; deploy's tests
 * check the manifests against {@code ConfigKeys}.
 */
package io.vpccni.ipamd.config;
