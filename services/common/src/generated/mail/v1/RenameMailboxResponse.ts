// Original file: proto/mail/v1/mailbox.proto


export interface RenameMailboxResponse {
}

export interface RenameMailboxResponse__Output {
}
