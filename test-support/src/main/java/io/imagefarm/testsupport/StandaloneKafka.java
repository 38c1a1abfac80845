package io.imagefarm.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -cp ... io.imagefarm.testsupport.StandaloneKafka <bootstrap-file>}: a real Apache Kafka
 * broker (KRaft, one combined node) in its own JVM, for the demo stack, where no container image can
 * be pulled. Writes its bootstrap address to the file once ready, and stops on SIGTERM.
 */
public final class StandaloneKafka {

    private StandaloneKafka() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: StandaloneKafka <bootstrap-file>");
            System.exit(2);
        }
        InProcessKafka kafka = InProcessKafka.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "stop-kafka"));
        Path file = Path.of(args[0]);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, kafka.bootstrapServers() + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("kafka ready at " + kafka.bootstrapServers());
        stopped.await();
    }
}
