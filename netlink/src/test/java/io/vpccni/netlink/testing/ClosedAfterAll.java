package io.vpccni.netlink.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * What a test class's tests leave open, closed once the class's other extensions have finished: declared before
 * fabric8's {@code @EnableKubernetesMockClient}, its after-all runs after the mock server has stopped (JUnit runs
 * after-all callbacks in the reverse of the order extensions are declared). That order matters: closing a watch while
 * the mock server writes to it blocks the server's event loop for 30 s (its WatchEventsListener waits for the write),
 * so informers, clients and daemons that watch go after the server.
 *
 * <pre>{@code
 * @ExtendWith(ClosedAfterAll.class)
 * @EnableKubernetesMockClient(crud = true)
 * class SomeTest {
 *     ClosedAfterAll.Later later; // set for each test instance
 *
 *     @Test
 *     void t() {
 *         KubernetesLink link = later.add(cluster.link(...));
 *     }
 * }
 * }</pre>
 *
 * Closed newest first; a failure to close is reported after every one has been tried.
 */
public final class ClosedAfterAll implements TestInstancePostProcessor, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClosedAfterAll.class);

    /** The class's list of things to close after all its tests; thread-safe. */
    public static final class Later {
        private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

        public <T extends AutoCloseable> T add(T closeable) {
            open.add(closeable);
            return closeable;
        }

        void closeAll() throws Exception {
            try {
                Closeables.closeNewestFirst(open);
            } finally {
                open.clear();
            }
        }
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws IllegalAccessException {
        Later later = later(context);
        for (Class<?> c = testInstance.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == Later.class && !Modifier.isStatic(field.getModifiers())) {
                    field.setAccessible(true);
                    field.set(testInstance, later);
                }
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        later(context).closeAll();
    }

    /** One list per test class, kept in the class's store so that every test instance of the class shares it. */
    private static Later later(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
                context.getRequiredTestClass().getName(), k -> new Later(), Later.class);
    }
}
