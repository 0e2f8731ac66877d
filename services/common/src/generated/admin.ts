import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddAliasRequest as _mail_v1_AddAliasRequest, AddAliasRequest__Output as _mail_v1_AddAliasRequest__Output } from './mail/v1/AddAliasRequest.js';
import type { AddTenantRequest as _mail_v1_AddTenantRequest, AddTenantRequest__Output as _mail_v1_AddTenantRequest__Output } from './mail/v1/AddTenantRequest.js';
import type { AddUserRequest as _mail_v1_AddUserRequest, AddUserRequest__Output as _mail_v1_AddUserRequest__Output } from './mail/v1/AddUserRequest.js';
import type { AdminServiceClient as _mail_v1_AdminServiceClient, AdminServiceDefinition as _mail_v1_AdminServiceDefinition } from './mail/v1/AdminService.js';
import type { AliasInfo as _mail_v1_AliasInfo, AliasInfo__Output as _mail_v1_AliasInfo__Output } from './mail/v1/AliasInfo.js';
import type { AppliedLimit as _mail_v1_AppliedLimit, AppliedLimit__Output as _mail_v1_AppliedLimit__Output } from './mail/v1/AppliedLimit.js';
import type { LimitSetting as _mail_v1_LimitSetting, LimitSetting__Output as _mail_v1_LimitSetting__Output } from './mail/v1/LimitSetting.js';
import type { ListAliasesRequest as _mail_v1_ListAliasesRequest, ListAliasesRequest__Output as _mail_v1_ListAliasesRequest__Output } from './mail/v1/ListAliasesRequest.js';
import type { ListAliasesResponse as _mail_v1_ListAliasesResponse, ListAliasesResponse__Output as _mail_v1_ListAliasesResponse__Output } from './mail/v1/ListAliasesResponse.js';
import type { ListTenantsRequest as _mail_v1_ListTenantsRequest, ListTenantsRequest__Output as _mail_v1_ListTenantsRequest__Output } from './mail/v1/ListTenantsRequest.js';
import type { ListTenantsResponse as _mail_v1_ListTenantsResponse, ListTenantsResponse__Output as _mail_v1_ListTenantsResponse__Output } from './mail/v1/ListTenantsResponse.js';
import type { ListUsersRequest as _mail_v1_ListUsersRequest, ListUsersRequest__Output as _mail_v1_ListUsersRequest__Output } from './mail/v1/ListUsersRequest.js';
import type { ListUsersResponse as _mail_v1_ListUsersResponse, ListUsersResponse__Output as _mail_v1_ListUsersResponse__Output } from './mail/v1/ListUsersResponse.js';
import type { RemovalCounts as _mail_v1_RemovalCounts, RemovalCounts__Output as _mail_v1_RemovalCounts__Output } from './mail/v1/RemovalCounts.js';
import type { RemoveAliasRequest as _mail_v1_RemoveAliasRequest, RemoveAliasRequest__Output as _mail_v1_RemoveAliasRequest__Output } from './mail/v1/RemoveAliasRequest.js';
import type { RemoveTenantRequest as _mail_v1_RemoveTenantRequest, RemoveTenantRequest__Output as _mail_v1_RemoveTenantRequest__Output } from './mail/v1/RemoveTenantRequest.js';
import type { RemoveUserRequest as _mail_v1_RemoveUserRequest, RemoveUserRequest__Output as _mail_v1_RemoveUserRequest__Output } from './mail/v1/RemoveUserRequest.js';
import type { ResolveAddressRequest as _mail_v1_ResolveAddressRequest, ResolveAddressRequest__Output as _mail_v1_ResolveAddressRequest__Output } from './mail/v1/ResolveAddressRequest.js';
import type { ResolvedAddress as _mail_v1_ResolvedAddress, ResolvedAddress__Output as _mail_v1_ResolvedAddress__Output } from './mail/v1/ResolvedAddress.js';
import type { SetPasswordRequest as _mail_v1_SetPasswordRequest, SetPasswordRequest__Output as _mail_v1_SetPasswordRequest__Output } from './mail/v1/SetPasswordRequest.js';
import type { SetTenantQuotaRequest as _mail_v1_SetTenantQuotaRequest, SetTenantQuotaRequest__Output as _mail_v1_SetTenantQuotaRequest__Output } from './mail/v1/SetTenantQuotaRequest.js';
import type { SetUserQuotaRequest as _mail_v1_SetUserQuotaRequest, SetUserQuotaRequest__Output as _mail_v1_SetUserQuotaRequest__Output } from './mail/v1/SetUserQuotaRequest.js';
import type { TenantInfo as _mail_v1_TenantInfo, TenantInfo__Output as _mail_v1_TenantInfo__Output } from './mail/v1/TenantInfo.js';
import type { TenantQuota as _mail_v1_TenantQuota, TenantQuota__Output as _mail_v1_TenantQuota__Output } from './mail/v1/TenantQuota.js';
import type { TenantRequest as _mail_v1_TenantRequest, TenantRequest__Output as _mail_v1_TenantRequest__Output } from './mail/v1/TenantRequest.js';
import type { UserInfo as _mail_v1_UserInfo, UserInfo__Output as _mail_v1_UserInfo__Output } from './mail/v1/UserInfo.js';
import type { UserQuota as _mail_v1_UserQuota, UserQuota__Output as _mail_v1_UserQuota__Output } from './mail/v1/UserQuota.js';
import type { UserRequest as _mail_v1_UserRequest, UserRequest__Output as _mail_v1_UserRequest__Output } from './mail/v1/UserRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mail: {
    v1: {
      AddAliasRequest: MessageTypeDefinition<_mail_v1_AddAliasRequest, _mail_v1_AddAliasRequest__Output>
      AddTenantRequest: MessageTypeDefinition<_mail_v1_AddTenantRequest, _mail_v1_AddTenantRequest__Output>
      AddUserRequest: MessageTypeDefinition<_mail_v1_AddUserRequest, _mail_v1_AddUserRequest__Output>
      AdminService: SubtypeConstructor<typeof grpc.Client, _mail_v1_AdminServiceClient> & { service: _mail_v1_AdminServiceDefinition }
      AliasInfo: MessageTypeDefinition<_mail_v1_AliasInfo, _mail_v1_AliasInfo__Output>
      AppliedLimit: MessageTypeDefinition<_mail_v1_AppliedLimit, _mail_v1_AppliedLimit__Output>
      LimitSetting: MessageTypeDefinition<_mail_v1_LimitSetting, _mail_v1_LimitSetting__Output>
      ListAliasesRequest: MessageTypeDefinition<_mail_v1_ListAliasesRequest, _mail_v1_ListAliasesRequest__Output>
      ListAliasesResponse: MessageTypeDefinition<_mail_v1_ListAliasesResponse, _mail_v1_ListAliasesResponse__Output>
      ListTenantsRequest: MessageTypeDefinition<_mail_v1_ListTenantsRequest, _mail_v1_ListTenantsRequest__Output>
      ListTenantsResponse: MessageTypeDefinition<_mail_v1_ListTenantsResponse, _mail_v1_ListTenantsResponse__Output>
      ListUsersRequest: MessageTypeDefinition<_mail_v1_ListUsersRequest, _mail_v1_ListUsersRequest__Output>
      ListUsersResponse: MessageTypeDefinition<_mail_v1_ListUsersResponse, _mail_v1_ListUsersResponse__Output>
      RemovalCounts: MessageTypeDefinition<_mail_v1_RemovalCounts, _mail_v1_RemovalCounts__Output>
      RemoveAliasRequest: MessageTypeDefinition<_mail_v1_RemoveAliasRequest, _mail_v1_RemoveAliasRequest__Output>
      RemoveTenantRequest: MessageTypeDefinition<_mail_v1_RemoveTenantRequest, _mail_v1_RemoveTenantRequest__Output>
      RemoveUserRequest: MessageTypeDefinition<_mail_v1_RemoveUserRequest, _mail_v1_RemoveUserRequest__Output>
      ResolveAddressRequest: MessageTypeDefinition<_mail_v1_ResolveAddressRequest, _mail_v1_ResolveAddressRequest__Output>
      ResolvedAddress: MessageTypeDefinition<_mail_v1_ResolvedAddress, _mail_v1_ResolvedAddress__Output>
      SetPasswordRequest: MessageTypeDefinition<_mail_v1_SetPasswordRequest, _mail_v1_SetPasswordRequest__Output>
      SetTenantQuotaRequest: MessageTypeDefinition<_mail_v1_SetTenantQuotaRequest, _mail_v1_SetTenantQuotaRequest__Output>
      SetUserQuotaRequest: MessageTypeDefinition<_mail_v1_SetUserQuotaRequest, _mail_v1_SetUserQuotaRequest__Output>
      TenantInfo: MessageTypeDefinition<_mail_v1_TenantInfo, _mail_v1_TenantInfo__Output>
      TenantQuota: MessageTypeDefinition<_mail_v1_TenantQuota, _mail_v1_TenantQuota__Output>
      TenantRequest: MessageTypeDefinition<_mail_v1_TenantRequest, _mail_v1_TenantRequest__Output>
      UserInfo: MessageTypeDefinition<_mail_v1_UserInfo, _mail_v1_UserInfo__Output>
      UserQuota: MessageTypeDefinition<_mail_v1_UserQuota, _mail_v1_UserQuota__Output>
      UserRequest: MessageTypeDefinition<_mail_v1_UserRequest, _mail_v1_UserRequest__Output>
    }
  }
}

