package ai.appliance.runtime.scheduler;

/** Handle on a submitted request: lets a front end cancel it when its client goes away. */
public interface Ticket {

    void cancel();

    boolean isDone();
}
