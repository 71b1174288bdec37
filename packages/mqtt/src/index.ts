export * from './connect.ts'
export type { MqttClient, IPublishPacket, IClientOptions } from 'mqtt'
