// Original file: proto/mail/v1/mailbox.proto


export interface OpenSessionResponse {
}

export interface OpenSessionResponse__Output {
}
