// Original file: proto/mail/v1/mailbox.proto


export interface DeleteMailboxResponse {
}

export interface DeleteMailboxResponse__Output {
}
