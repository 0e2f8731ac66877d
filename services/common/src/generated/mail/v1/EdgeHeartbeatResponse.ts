// Original file: proto/mail/v1/mailbox.proto


export interface EdgeHeartbeatResponse {
}

export interface EdgeHeartbeatResponse__Output {
}
