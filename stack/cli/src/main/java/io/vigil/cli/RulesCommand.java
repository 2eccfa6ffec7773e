package io.vigil.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.rules.ApplyResult;
import io.vigil.rules.InvalidRulesException;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleChange;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleFormat;
import io.vigil.rules.RuleStore;
import io.vigil.rules.RuleStoreException;
import io.vigil.rules.RuleTopic;
import io.vigil.rules.StoredRule;
import io.vigil.rules.http.RulesServerMain;
import io.vigil.schemas.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vigil rules apply FILE | list | delete ID | serve}: alerting rules of the running local
 * stack, through the same rule store as the HTTP API (compare-and-set in Cassandra, then the
 * compacted rules topic); {@code serve} runs that HTTP API on the stack.
 */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description = "Apply, list, delete and serve alerting rules of the running local stack.",
        subcommands = {
            RulesCommand.Apply.class,
            RulesCommand.ListRules.class,
            RulesCommand.Delete.class,
            RulesCommand.Serve.class
        })
final class RulesCommand {
    @ParentCommand VigilCli cli;

    /** Runs {@code action} with a rule store on the running stack; exit code 3 if none runs. */
    private int withStore(StoreAction action) throws Exception {
        Optional<RunningStack> stack = RunningStack.find(cli.dataDir());
        if (stack.isEmpty()) {
            return 3;
        }
        KafkaSettings kafka = KafkaSettings.of(stack.get().kafkaBootstrapServers());
        try (CqlSession session =
                        CqlSessions.open(
                                stack.get().cassandra(),
                                stack.get().cassandraDatacenter(),
                                RulesServerMain.CASSANDRA_REQUEST_TIMEOUT);
                KafkaRulePublisher publisher = new KafkaRulePublisher(kafka)) {
            RuleTopic.createIfMissing(kafka, UpCommand.TOPIC_PARTITIONS, (short) 1);
            return action.run(new RuleStore(session, publisher, Clock.systemUTC()));
        } catch (RuleStoreException e) {
            // A conflict, or Kafka or Cassandra failing: the message says which and what to do.
            Console.say("%s", e.getMessage());
            return 1;
        }
    }

    /** What a subcommand does with the store; returns the exit code. */
    private interface StoreAction {
        int run(RuleStore store) throws Exception;
    }

    /** Reports what applying a rule file did, one line per rule and a total. */
    static void report(ApplyResult result) {
        for (RuleChange change : result.changes()) {
            Console.say(
                    "%-9s %s (version %d)",
                    change.outcome().name().toLowerCase(Locale.ROOT),
                    change.id(),
                    change.version());
        }
        Console.say(
                "%d rules: %d created, %d updated, %d unchanged; %d stored rules this apply did not"
                        + " change republished",
                result.changes().size(),
                result.count(RuleChange.Outcome.CREATED),
                result.count(RuleChange.Outcome.UPDATED),
                result.count(RuleChange.Outcome.UNCHANGED),
                result.republished());
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = "Create or update the rules of a YAML rule file.")
    static final class Apply implements Callable<Integer> {
        @ParentCommand RulesCommand rules;

        @Parameters(
                paramLabel = "FILE",
                description = "A rule file (groups: - name: ... rules: ...).")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                Console.say("%s: no such file", file);
                return 2;
            }
            List<Rule> parsed;
            try {
                parsed = RuleFiles.read(file);
            } catch (InvalidRulesException e) {
                // Refused before anything is written: a file is all or nothing.
                e.errors().forEach(System.err::println);
                Console.say("%s refused: %d errors, no rule written", file, e.errors().size());
                return 1;
            }
            return rules.withStore(
                    store -> {
                        report(store.apply(parsed, file.toString()));
                        return 0;
                    });
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the rules, one line each.")
    static final class ListRules implements Callable<Integer> {
        @ParentCommand RulesCommand rules;

        @Option(names = "--yaml", description = "Print each rule's fields as in a rule file.")
        boolean yaml;

        @Override
        public Integer call() throws Exception {
            return rules.withStore(
                    store -> {
                        List<StoredRule> all = store.list();
                        if (yaml) {
                            printYaml(all);
                            return 0;
                        }
                        System.out.printf(
                                "%-40s %7s  %-20s  %s%n", "ID", "VERSION", "UPDATED", "RULE");
                        for (StoredRule rule : all) {
                            System.out.printf(
                                    "%-40s %7d  %-20s  %s%n",
                                    rule.id(),
                                    rule.version(),
                                    Instant.ofEpochMilli(rule.rule().getUpdatedAt())
                                            .truncatedTo(ChronoUnit.SECONDS),
                                    RuleFormat.summary(rule.rule()));
                        }
                        Console.say("%d rules", all.size());
                        return 0;
                    });
        }

        private static void printYaml(List<StoredRule> all) {
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            Yaml yaml = new Yaml(options);
            for (StoredRule rule : all) {
                System.out.printf("# version %d%n", rule.version());
                System.out.print(yaml.dump(List.of(RuleFormat.toFields(rule.rule()))));
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a rule by id (its alerts resolve).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand RulesCommand rules;

        @Parameters(paramLabel = "ID", description = "The rule id, as vigil rules list shows it.")
        String id;

        @Option(names = "--if-version", description = "Delete only if the rule is at this version.")
        Long ifVersion;

        @Override
        public Integer call() throws Exception {
            return rules.withStore(
                    store -> {
                        Optional<RuleChange> change =
                                store.delete(
                                        id,
                                        ifVersion == null
                                                ? OptionalLong.empty()
                                                : OptionalLong.of(ifVersion),
                                        "cli");
                        if (change.isEmpty()) {
                            Console.say("no rule %s", id);
                            return 1;
                        }
                        Console.say("deleted %s (version %d)", id, change.get().version());
                        return 0;
                    });
        }
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description =
                    "Serve the rules HTTP API (/api/v1/rules) on the running stack until Ctrl-C;"
                            + " bearer token from VIGIL_RULES_TOKEN if set.")
    static final class Serve implements Callable<Integer> {
        @ParentCommand RulesCommand rules;

        @Option(
                names = "--listen",
                defaultValue = "127.0.0.1:9470",
                description = "host:port to serve on (default ${DEFAULT-VALUE}).")
        String listen;

        @Override
        public Integer call() {
            Optional<RunningStack> stack = RunningStack.find(rules.cli.dataDir());
            if (stack.isEmpty()) {
                return 3;
            }
            return new CommandLine(new RulesServerMain())
                    .execute(
                            "--kafka", stack.get().kafkaBootstrapServers(),
                            "--cassandra", UpCommand.hostAndPort(stack.get().cassandra()),
                            "--datacenter", stack.get().cassandraDatacenter(),
                            "--topic-partitions", Integer.toString(UpCommand.TOPIC_PARTITIONS),
                            "--listen", listen);
        }
    }
}
