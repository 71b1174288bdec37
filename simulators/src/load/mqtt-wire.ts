/**
 * The few MQTT 5 packets a load generator writes, encoded by hand. mqtt.js builds every PUBLISH through a
 * general writer and a store per client; at 10,000 messages a second that costs more CPU than the platform
 * under test, on the same two cores. Here a PUBLISH is one buffer and one write.
 */

/** MQTT's variable-length "remaining length" (1-4 bytes, 7 bits each, high bit = more follows). */
export function encodeRemainingLength(length: number): number[] {
  const bytes: number[] = []
  do {
    let byte = length % 128
    length = Math.floor(length / 128)
    if (length > 0) byte |= 0x80
    bytes.push(byte)
  } while (length > 0)
  return bytes
}

/** A QoS 1 PUBLISH with no properties: fixed header, topic, packet id, empty property length, payload. */
export function encodeQos1Publish(topic: Buffer, packetId: number, payload: Buffer): Buffer {
  const remaining = 2 + topic.length + 2 + 1 + payload.length
  const lengthBytes = encodeRemainingLength(remaining)
  const packet = Buffer.allocUnsafe(1 + lengthBytes.length + remaining)
  let at = 0
  packet[at++] = 0x32 // PUBLISH, QoS 1, no DUP, no RETAIN
  for (const byte of lengthBytes) packet[at++] = byte
  packet.writeUInt16BE(topic.length, at)
  at += 2
  at += topic.copy(packet, at)
  packet.writeUInt16BE(packetId, at)
  at += 2
  packet[at++] = 0 // property length
  payload.copy(packet, at)
  return packet
}

/** Packet ids run 1..65535 and never 0. */
export function nextPacketId(previous: number): number {
  return previous >= 0xffff ? 1 : previous + 1
}
