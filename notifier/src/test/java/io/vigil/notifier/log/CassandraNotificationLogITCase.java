package io.vigil.notifier.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.notifier.StackFixtures;
import io.vigil.notifier.log.NotificationLog.AlreadyDelivered;
import io.vigil.notifier.log.NotificationLog.Busy;
import io.vigil.notifier.log.NotificationLog.Claim;
import io.vigil.notifier.log.NotificationLog.ClaimRequest;
import io.vigil.notifier.log.NotificationLog.ClaimResult;
import io.vigil.notifier.log.NotificationLog.Claimed;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The notification log's lightweight transactions on the real Cassandra of the local stack: one
 * winner among concurrent claims, waiting for a live owner, takeover after the lease, and a late
 * "delivered" mark of an old owner stopping the new one.
 */
@ExtendWith(SharedStackExtension.class)
class CassandraNotificationLogITCase {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private final String group = "group-" + UUID.randomUUID();
    private final LocalStack stack;
    private CqlSession session;
    private CassandraNotificationLog log;

    CassandraNotificationLogITCase(LocalStack stack) {
        this.stack = stack;
    }

    @BeforeEach
    void connect() throws Exception {
        StackFixtures.prepare(stack);
        session = StackFixtures.session(stack);
        log = new CassandraNotificationLog(session);
    }

    @AfterEach
    void disconnect() {
        session.close();
    }

    @Test
    void exactlyOneOfManyConcurrentClaimsWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ClaimResult>> results = new ArrayList<>();
            for (int replica = 0; replica < 4; replica++) {
                String owner = "replica-" + replica;
                Callable<ClaimResult> claim = () -> claimRetrying(request(owner, T0, "e1", "e2"));
                results.add(pool.submit(claim));
            }
            int winners = 0;
            for (Future<ClaimResult> result : results) {
                ClaimResult answer = result.get();
                assertThat(answer).isInstanceOfAny(Claimed.class, Busy.class);
                winners += answer instanceof Claimed ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deliveredEventsAreNeverClaimedAgainAndTheRestAre() {
        Claim first = claimed(log.claim(request("a", T0, "e1")));
        assertThat(log.markDelivered(first, T0.plusSeconds(1))).isTrue();

        assertThat(log.claim(request("b", T0.plusSeconds(2), "e1")))
                .isInstanceOf(AlreadyDelivered.class);
        Claim rest = claimed(log.claim(request("b", T0.plusSeconds(2), "e1", "e2")));
        assertThat(rest.eventIds()).containsExactly("e2");
    }

    @Test
    void aLiveClaimIsWaitedForAndALapsedOneTakenOver() {
        claimed(log.claim(request("a", T0, "e1")));

        ClaimResult busy = log.claim(request("b", T0.plusSeconds(5), "e1"));
        assertThat(busy).isEqualTo(new Busy("a", T0.plus(LEASE)));

        Claim taken = claimed(log.claim(request("b", T0.plus(LEASE).plusSeconds(1), "e1")));
        assertThat(taken.owner()).isEqualTo("b");
        assertThat(log.claim(request("c", T0.plus(LEASE).plusSeconds(2), "e1")))
                .as("b's fresh lease protects it")
                .isInstanceOf(Busy.class);
    }

    @Test
    void theOldOwnersLateDeliveryStopsTheNewOwner() {
        Claim old = claimed(log.claim(request("a", T0, "e1")));
        Claim taken = claimed(log.claim(request("b", T0.plus(LEASE).plusSeconds(1), "e1")));

        assertThat(log.renew(old, T0.plus(LEASE).plusSeconds(2), LEASE))
                .as("a lost its claim")
                .isNull();
        assertThat(log.markDelivered(old, T0.plus(LEASE).plusSeconds(3)))
                .as("a did deliver: the mark records it")
                .isTrue();
        assertThat(log.renew(taken, T0.plus(LEASE).plusSeconds(4), LEASE))
                .as("b must not deliver again")
                .isNull();
    }

    /**
     * Retries a claim that failed with a storage error, as the delivery worker does: contended
     * lightweight transactions may time out on a loaded node.
     */
    private ClaimResult claimRetrying(ClaimRequest request) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return log.claim(request);
            } catch (RuntimeException e) {
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(200L * attempt);
            }
        }
    }

    private ClaimRequest request(String owner, Instant now, String... eventIds) {
        Map<String, String> events = new java.util.HashMap<>();
        for (String eventId : eventIds) {
            events.put(eventId, "fp-" + eventId);
        }
        return new ClaimRequest("ops/webhook[0]", group, "n-" + owner, events, owner, now, LEASE);
    }

    private static Claim claimed(ClaimResult result) {
        assertThat(result).isInstanceOf(Claimed.class);
        return ((Claimed) result).claim();
    }
}
