package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BashJavaUtilsResultTest {

    /** Real output of GET_TM_RESOURCE_PARAMS for the bundled config (shortened), with noise. */
    private static final String TASK_MANAGER_OUTPUT =
            """
            INFO  [main] o.a.f.r.u.c.m.ProcessMemoryUtils - The derived from fraction jvm overhead memory
            BASH_JAVA_UTILS_EXEC_RESULT:-Xmx697932173 -Xms697932173 -XX:MaxDirectMemorySize=300647712 -XX:MaxMetaspaceSize=268435456
            BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.network.min=166429984b -D taskmanager.cpu.cores=2.0 -D taskmanager.numberOfTaskSlots=2
            """;

    @Test
    void parsesJvmOptionsAndDynamicProperties() {
        BashJavaUtilsResult result = BashJavaUtilsResult.parse(TASK_MANAGER_OUTPUT);

        assertThat(result.jvmParams())
                .containsExactly(
                        "-Xmx697932173",
                        "-Xms697932173",
                        "-XX:MaxDirectMemorySize=300647712",
                        "-XX:MaxMetaspaceSize=268435456");
        assertThat(result.dynamicProperties())
                .containsExactly(
                        "-D",
                        "taskmanager.memory.network.min=166429984b",
                        "-D",
                        "taskmanager.cpu.cores=2.0",
                        "-D",
                        "taskmanager.numberOfTaskSlots=2");
    }

    @Test
    void acceptsAnEmptyDynamicPropertiesLine() {
        BashJavaUtilsResult result =
                BashJavaUtilsResult.parse(
                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1g\nBASH_JAVA_UTILS_EXEC_RESULT:\n");

        assertThat(result.jvmParams()).containsExactly("-Xmx1g");
        assertThat(result.dynamicProperties()).isEmpty();
    }

    @Test
    void refusesOutputWithoutTwoResultLines() {
        String failure = "Exception in thread \"main\" IllegalConfigurationException: bad memory";

        assertThatThrownBy(() -> BashJavaUtilsResult.parse(failure))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("got 0")
                .hasMessageContaining("bad memory");
    }
}
