/** Splitting a byte stream into lines as it is read. */
import { StringDecoder } from "node:string_decoder";

/** Longest line accepted (a job with its whole history), in characters. */
export const MAX_LINE_LENGTH = 256 * 1024 * 1024;

/**
 * The lines of `input`, read as they are asked for: a chunk is read only when the lines
 * of the previous one are consumed, so a slow consumer holds back the source (backpressure)
 * and at most one chunk plus one line is in memory.
 */
export async function* readLines(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of input) {
    rest += typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk));
    let newline = rest.indexOf("\n");
    while (newline >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, "");
      rest = rest.slice(newline + 1);
      newline = rest.indexOf("\n");
    }
    if (rest.length > MAX_LINE_LENGTH) throw new RangeError(`a line is over ${MAX_LINE_LENGTH} characters`);
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}
