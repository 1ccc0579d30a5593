import type { ConfirmChannel, Options } from "amqplib";
import type { AmqpConnection } from "./connection.js";

/** One message to publish: where to, its body and its AMQP properties. */
export interface AmqpMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

/**
 * Publishes `messages` on the confirm channel and resolves once the broker has confirmed
 * them all (for persistent messages to durable queues: written to disk); rejects if one is
 * refused, comes back unroutable (its queue was deleted since it was declared: published
 * `mandatory`), or the channel closes first. `declare` runs once per destination and connection.
 */
export async function publishConfirmed(
  connection: AmqpConnection,
  messages: AmqpMessage[],
  declare: (channel: ConfirmChannel, destination: string) => Promise<void>,
): Promise<void> {
  const channel = await connection.confirmChannel();
  for (const destination of new Set(messages.map((m) => m.exchange || m.routingKey))) {
    if (connection.declared.has(destination)) continue;
    await declare(channel, destination);
    connection.declared.add(destination);
  }
  // The broker returns an unroutable message before it confirms it.
  let returned = 0;
  const onReturn = () => {
    returned++;
  };
  channel.on("return", onReturn);
  const confirms = messages.map(
    (m) =>
      new Promise<void>((resolve, reject) => {
        channel.publish(
          m.exchange,
          m.routingKey,
          m.content,
          { ...m.options, mandatory: true },
          (error: unknown) =>
            error
              ? reject(
                  error instanceof Error ? error : new Error(`broker refused a message: ${String(error)}`),
                )
              : resolve(),
        );
      }),
  );
  let onClose = () => {};
  const closed = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error("the AMQP channel closed before the broker confirmed"));
    channel.once("close", onClose);
  });
  try {
    await Promise.race([Promise.all(confirms), closed]);
    if (returned > 0) {
      // Declared on this connection, but gone since: declare again on the next try.
      connection.declared.clear();
      throw new Error(`${returned} message(s) had no queue to go to`);
    }
  } finally {
    channel.off("close", onClose);
    channel.off("return", onReturn);
    // Whichever lost the race has nobody waiting for it any more.
    closed.catch(() => {});
    for (const confirm of confirms) confirm.catch(() => {});
  }
}
