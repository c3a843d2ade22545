/** The i-th chat of the benchmark: a Colombian mobile wa_id, the same in the driver and the server. */
export function benchChatId(i: number): string {
  return `57300${String(i).padStart(7, '0')}`;
}
