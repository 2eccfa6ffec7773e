package io.vigil.stack.state;

/** The health of one recorded process at the time it was checked. */
public record ProcessStatus(ProcessRecord process, Health health) {

    public String name() {
        return process.name();
    }

    public long pid() {
        return process.pid();
    }
}
