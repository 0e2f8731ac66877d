// Original file: proto/mail/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddAliasRequest as _mail_v1_AddAliasRequest, AddAliasRequest__Output as _mail_v1_AddAliasRequest__Output } from '../../mail/v1/AddAliasRequest.js';
import type { AddTenantRequest as _mail_v1_AddTenantRequest, AddTenantRequest__Output as _mail_v1_AddTenantRequest__Output } from '../../mail/v1/AddTenantRequest.js';
import type { AddUserRequest as _mail_v1_AddUserRequest, AddUserRequest__Output as _mail_v1_AddUserRequest__Output } from '../../mail/v1/AddUserRequest.js';
import type { AliasInfo as _mail_v1_AliasInfo, AliasInfo__Output as _mail_v1_AliasInfo__Output } from '../../mail/v1/AliasInfo.js';
import type { ListAliasesRequest as _mail_v1_ListAliasesRequest, ListAliasesRequest__Output as _mail_v1_ListAliasesRequest__Output } from '../../mail/v1/ListAliasesRequest.js';
import type { ListAliasesResponse as _mail_v1_ListAliasesResponse, ListAliasesResponse__Output as _mail_v1_ListAliasesResponse__Output } from '../../mail/v1/ListAliasesResponse.js';
import type { ListTenantsRequest as _mail_v1_ListTenantsRequest, ListTenantsRequest__Output as _mail_v1_ListTenantsRequest__Output } from '../../mail/v1/ListTenantsRequest.js';
import type { ListTenantsResponse as _mail_v1_ListTenantsResponse, ListTenantsResponse__Output as _mail_v1_ListTenantsResponse__Output } from '../../mail/v1/ListTenantsResponse.js';
import type { ListUsersRequest as _mail_v1_ListUsersRequest, ListUsersRequest__Output as _mail_v1_ListUsersRequest__Output } from '../../mail/v1/ListUsersRequest.js';
import type { ListUsersResponse as _mail_v1_ListUsersResponse, ListUsersResponse__Output as _mail_v1_ListUsersResponse__Output } from '../../mail/v1/ListUsersResponse.js';
import type { RemovalCounts as _mail_v1_RemovalCounts, RemovalCounts__Output as _mail_v1_RemovalCounts__Output } from '../../mail/v1/RemovalCounts.js';
import type { RemoveAliasRequest as _mail_v1_RemoveAliasRequest, RemoveAliasRequest__Output as _mail_v1_RemoveAliasRequest__Output } from '../../mail/v1/RemoveAliasRequest.js';
import type { RemoveTenantRequest as _mail_v1_RemoveTenantRequest, RemoveTenantRequest__Output as _mail_v1_RemoveTenantRequest__Output } from '../../mail/v1/RemoveTenantRequest.js';
import type { RemoveUserRequest as _mail_v1_RemoveUserRequest, RemoveUserRequest__Output as _mail_v1_RemoveUserRequest__Output } from '../../mail/v1/RemoveUserRequest.js';
import type { ResolveAddressRequest as _mail_v1_ResolveAddressRequest, ResolveAddressRequest__Output as _mail_v1_ResolveAddressRequest__Output } from '../../mail/v1/ResolveAddressRequest.js';
import type { ResolvedAddress as _mail_v1_ResolvedAddress, ResolvedAddress__Output as _mail_v1_ResolvedAddress__Output } from '../../mail/v1/ResolvedAddress.js';
import type { SetPasswordRequest as _mail_v1_SetPasswordRequest, SetPasswordRequest__Output as _mail_v1_SetPasswordRequest__Output } from '../../mail/v1/SetPasswordRequest.js';
import type { SetTenantQuotaRequest as _mail_v1_SetTenantQuotaRequest, SetTenantQuotaRequest__Output as _mail_v1_SetTenantQuotaRequest__Output } from '../../mail/v1/SetTenantQuotaRequest.js';
import type { SetUserQuotaRequest as _mail_v1_SetUserQuotaRequest, SetUserQuotaRequest__Output as _mail_v1_SetUserQuotaRequest__Output } from '../../mail/v1/SetUserQuotaRequest.js';
import type { TenantInfo as _mail_v1_TenantInfo, TenantInfo__Output as _mail_v1_TenantInfo__Output } from '../../mail/v1/TenantInfo.js';
import type { TenantQuota as _mail_v1_TenantQuota, TenantQuota__Output as _mail_v1_TenantQuota__Output } from '../../mail/v1/TenantQuota.js';
import type { TenantRequest as _mail_v1_TenantRequest, TenantRequest__Output as _mail_v1_TenantRequest__Output } from '../../mail/v1/TenantRequest.js';
import type { UserInfo as _mail_v1_UserInfo, UserInfo__Output as _mail_v1_UserInfo__Output } from '../../mail/v1/UserInfo.js';
import type { UserQuota as _mail_v1_UserQuota, UserQuota__Output as _mail_v1_UserQuota__Output } from '../../mail/v1/UserQuota.js';
import type { UserRequest as _mail_v1_UserRequest, UserRequest__Output as _mail_v1_UserRequest__Output } from '../../mail/v1/UserRequest.js';

export interface AdminServiceClient extends grpc.Client {
  AddAlias(argument: _mail_v1_AddAliasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  AddAlias(argument: _mail_v1_AddAliasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  AddAlias(argument: _mail_v1_AddAliasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  AddAlias(argument: _mail_v1_AddAliasRequest, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  addAlias(argument: _mail_v1_AddAliasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  addAlias(argument: _mail_v1_AddAliasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  addAlias(argument: _mail_v1_AddAliasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  addAlias(argument: _mail_v1_AddAliasRequest, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  
  AddTenant(argument: _mail_v1_AddTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  AddTenant(argument: _mail_v1_AddTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  AddTenant(argument: _mail_v1_AddTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  AddTenant(argument: _mail_v1_AddTenantRequest, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  addTenant(argument: _mail_v1_AddTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  addTenant(argument: _mail_v1_AddTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  addTenant(argument: _mail_v1_AddTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  addTenant(argument: _mail_v1_AddTenantRequest, callback: grpc.requestCallback<_mail_v1_TenantInfo__Output>): grpc.ClientUnaryCall;
  
  AddUser(argument: _mail_v1_AddUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  AddUser(argument: _mail_v1_AddUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  AddUser(argument: _mail_v1_AddUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  AddUser(argument: _mail_v1_AddUserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  addUser(argument: _mail_v1_AddUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  addUser(argument: _mail_v1_AddUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  addUser(argument: _mail_v1_AddUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  addUser(argument: _mail_v1_AddUserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  
  DisableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  DisableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  DisableUser(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  DisableUser(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  disableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  disableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  disableUser(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  disableUser(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  
  EnableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  EnableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  EnableUser(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  EnableUser(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  enableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  enableUser(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  enableUser(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  enableUser(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  
  GetTenantQuota(argument: _mail_v1_TenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  GetTenantQuota(argument: _mail_v1_TenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  GetTenantQuota(argument: _mail_v1_TenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  GetTenantQuota(argument: _mail_v1_TenantRequest, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  getTenantQuota(argument: _mail_v1_TenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  getTenantQuota(argument: _mail_v1_TenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  getTenantQuota(argument: _mail_v1_TenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  getTenantQuota(argument: _mail_v1_TenantRequest, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  
  GetUserQuota(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  GetUserQuota(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  GetUserQuota(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  GetUserQuota(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  getUserQuota(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  getUserQuota(argument: _mail_v1_UserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  getUserQuota(argument: _mail_v1_UserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  getUserQuota(argument: _mail_v1_UserRequest, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  
  ListAliases(argument: _mail_v1_ListAliasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  ListAliases(argument: _mail_v1_ListAliasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  ListAliases(argument: _mail_v1_ListAliasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  ListAliases(argument: _mail_v1_ListAliasesRequest, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  listAliases(argument: _mail_v1_ListAliasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  listAliases(argument: _mail_v1_ListAliasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  listAliases(argument: _mail_v1_ListAliasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  listAliases(argument: _mail_v1_ListAliasesRequest, callback: grpc.requestCallback<_mail_v1_ListAliasesResponse__Output>): grpc.ClientUnaryCall;
  
  ListTenants(argument: _mail_v1_ListTenantsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  ListTenants(argument: _mail_v1_ListTenantsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  ListTenants(argument: _mail_v1_ListTenantsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  ListTenants(argument: _mail_v1_ListTenantsRequest, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  listTenants(argument: _mail_v1_ListTenantsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  listTenants(argument: _mail_v1_ListTenantsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  listTenants(argument: _mail_v1_ListTenantsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  listTenants(argument: _mail_v1_ListTenantsRequest, callback: grpc.requestCallback<_mail_v1_ListTenantsResponse__Output>): grpc.ClientUnaryCall;
  
  ListUsers(argument: _mail_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _mail_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _mail_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _mail_v1_ListUsersRequest, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _mail_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _mail_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _mail_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _mail_v1_ListUsersRequest, callback: grpc.requestCallback<_mail_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveAlias(argument: _mail_v1_RemoveAliasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  RemoveAlias(argument: _mail_v1_RemoveAliasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  RemoveAlias(argument: _mail_v1_RemoveAliasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  RemoveAlias(argument: _mail_v1_RemoveAliasRequest, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  removeAlias(argument: _mail_v1_RemoveAliasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  removeAlias(argument: _mail_v1_RemoveAliasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  removeAlias(argument: _mail_v1_RemoveAliasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  removeAlias(argument: _mail_v1_RemoveAliasRequest, callback: grpc.requestCallback<_mail_v1_AliasInfo__Output>): grpc.ClientUnaryCall;
  
  RemoveTenant(argument: _mail_v1_RemoveTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveTenant(argument: _mail_v1_RemoveTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveTenant(argument: _mail_v1_RemoveTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveTenant(argument: _mail_v1_RemoveTenantRequest, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeTenant(argument: _mail_v1_RemoveTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeTenant(argument: _mail_v1_RemoveTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeTenant(argument: _mail_v1_RemoveTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeTenant(argument: _mail_v1_RemoveTenantRequest, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  
  RemoveUser(argument: _mail_v1_RemoveUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveUser(argument: _mail_v1_RemoveUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveUser(argument: _mail_v1_RemoveUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  RemoveUser(argument: _mail_v1_RemoveUserRequest, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeUser(argument: _mail_v1_RemoveUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeUser(argument: _mail_v1_RemoveUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeUser(argument: _mail_v1_RemoveUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  removeUser(argument: _mail_v1_RemoveUserRequest, callback: grpc.requestCallback<_mail_v1_RemovalCounts__Output>): grpc.ClientUnaryCall;
  
  ResolveAddress(argument: _mail_v1_ResolveAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  ResolveAddress(argument: _mail_v1_ResolveAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  ResolveAddress(argument: _mail_v1_ResolveAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  ResolveAddress(argument: _mail_v1_ResolveAddressRequest, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  resolveAddress(argument: _mail_v1_ResolveAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  resolveAddress(argument: _mail_v1_ResolveAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  resolveAddress(argument: _mail_v1_ResolveAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  resolveAddress(argument: _mail_v1_ResolveAddressRequest, callback: grpc.requestCallback<_mail_v1_ResolvedAddress__Output>): grpc.ClientUnaryCall;
  
  SetPassword(argument: _mail_v1_SetPasswordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  SetPassword(argument: _mail_v1_SetPasswordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  SetPassword(argument: _mail_v1_SetPasswordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  SetPassword(argument: _mail_v1_SetPasswordRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  setPassword(argument: _mail_v1_SetPasswordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  setPassword(argument: _mail_v1_SetPasswordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  setPassword(argument: _mail_v1_SetPasswordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  setPassword(argument: _mail_v1_SetPasswordRequest, callback: grpc.requestCallback<_mail_v1_UserInfo__Output>): grpc.ClientUnaryCall;
  
  SetTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  SetTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  SetTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  SetTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  setTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  setTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  setTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  setTenantQuota(argument: _mail_v1_SetTenantQuotaRequest, callback: grpc.requestCallback<_mail_v1_TenantQuota__Output>): grpc.ClientUnaryCall;
  
  SetUserQuota(argument: _mail_v1_SetUserQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  SetUserQuota(argument: _mail_v1_SetUserQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  SetUserQuota(argument: _mail_v1_SetUserQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  SetUserQuota(argument: _mail_v1_SetUserQuotaRequest, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  setUserQuota(argument: _mail_v1_SetUserQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  setUserQuota(argument: _mail_v1_SetUserQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  setUserQuota(argument: _mail_v1_SetUserQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  setUserQuota(argument: _mail_v1_SetUserQuotaRequest, callback: grpc.requestCallback<_mail_v1_UserQuota__Output>): grpc.ClientUnaryCall;
  
}

export interface AdminServiceHandlers extends grpc.UntypedServiceImplementation {
  AddAlias: grpc.handleUnaryCall<_mail_v1_AddAliasRequest__Output, _mail_v1_AliasInfo>;
  
  AddTenant: grpc.handleUnaryCall<_mail_v1_AddTenantRequest__Output, _mail_v1_TenantInfo>;
  
  AddUser: grpc.handleUnaryCall<_mail_v1_AddUserRequest__Output, _mail_v1_UserInfo>;
  
  DisableUser: grpc.handleUnaryCall<_mail_v1_UserRequest__Output, _mail_v1_UserInfo>;
  
  EnableUser: grpc.handleUnaryCall<_mail_v1_UserRequest__Output, _mail_v1_UserInfo>;
  
  GetTenantQuota: grpc.handleUnaryCall<_mail_v1_TenantRequest__Output, _mail_v1_TenantQuota>;
  
  GetUserQuota: grpc.handleUnaryCall<_mail_v1_UserRequest__Output, _mail_v1_UserQuota>;
  
  ListAliases: grpc.handleUnaryCall<_mail_v1_ListAliasesRequest__Output, _mail_v1_ListAliasesResponse>;
  
  ListTenants: grpc.handleUnaryCall<_mail_v1_ListTenantsRequest__Output, _mail_v1_ListTenantsResponse>;
  
  ListUsers: grpc.handleUnaryCall<_mail_v1_ListUsersRequest__Output, _mail_v1_ListUsersResponse>;
  
  RemoveAlias: grpc.handleUnaryCall<_mail_v1_RemoveAliasRequest__Output, _mail_v1_AliasInfo>;
  
  RemoveTenant: grpc.handleUnaryCall<_mail_v1_RemoveTenantRequest__Output, _mail_v1_RemovalCounts>;
  
  RemoveUser: grpc.handleUnaryCall<_mail_v1_RemoveUserRequest__Output, _mail_v1_RemovalCounts>;
  
  ResolveAddress: grpc.handleUnaryCall<_mail_v1_ResolveAddressRequest__Output, _mail_v1_ResolvedAddress>;
  
  SetPassword: grpc.handleUnaryCall<_mail_v1_SetPasswordRequest__Output, _mail_v1_UserInfo>;
  
  SetTenantQuota: grpc.handleUnaryCall<_mail_v1_SetTenantQuotaRequest__Output, _mail_v1_TenantQuota>;
  
  SetUserQuota: grpc.handleUnaryCall<_mail_v1_SetUserQuotaRequest__Output, _mail_v1_UserQuota>;
  
}

export interface AdminServiceDefinition extends grpc.ServiceDefinition {
  AddAlias: MethodDefinition<_mail_v1_AddAliasRequest, _mail_v1_AliasInfo, _mail_v1_AddAliasRequest__Output, _mail_v1_AliasInfo__Output>
  AddTenant: MethodDefinition<_mail_v1_AddTenantRequest, _mail_v1_TenantInfo, _mail_v1_AddTenantRequest__Output, _mail_v1_TenantInfo__Output>
  AddUser: MethodDefinition<_mail_v1_AddUserRequest, _mail_v1_UserInfo, _mail_v1_AddUserRequest__Output, _mail_v1_UserInfo__Output>
  DisableUser: MethodDefinition<_mail_v1_UserRequest, _mail_v1_UserInfo, _mail_v1_UserRequest__Output, _mail_v1_UserInfo__Output>
  EnableUser: MethodDefinition<_mail_v1_UserRequest, _mail_v1_UserInfo, _mail_v1_UserRequest__Output, _mail_v1_UserInfo__Output>
  GetTenantQuota: MethodDefinition<_mail_v1_TenantRequest, _mail_v1_TenantQuota, _mail_v1_TenantRequest__Output, _mail_v1_TenantQuota__Output>
  GetUserQuota: MethodDefinition<_mail_v1_UserRequest, _mail_v1_UserQuota, _mail_v1_UserRequest__Output, _mail_v1_UserQuota__Output>
  ListAliases: MethodDefinition<_mail_v1_ListAliasesRequest, _mail_v1_ListAliasesResponse, _mail_v1_ListAliasesRequest__Output, _mail_v1_ListAliasesResponse__Output>
  ListTenants: MethodDefinition<_mail_v1_ListTenantsRequest, _mail_v1_ListTenantsResponse, _mail_v1_ListTenantsRequest__Output, _mail_v1_ListTenantsResponse__Output>
  ListUsers: MethodDefinition<_mail_v1_ListUsersRequest, _mail_v1_ListUsersResponse, _mail_v1_ListUsersRequest__Output, _mail_v1_ListUsersResponse__Output>
  RemoveAlias: MethodDefinition<_mail_v1_RemoveAliasRequest, _mail_v1_AliasInfo, _mail_v1_RemoveAliasRequest__Output, _mail_v1_AliasInfo__Output>
  RemoveTenant: MethodDefinition<_mail_v1_RemoveTenantRequest, _mail_v1_RemovalCounts, _mail_v1_RemoveTenantRequest__Output, _mail_v1_RemovalCounts__Output>
  RemoveUser: MethodDefinition<_mail_v1_RemoveUserRequest, _mail_v1_RemovalCounts, _mail_v1_RemoveUserRequest__Output, _mail_v1_RemovalCounts__Output>
  ResolveAddress: MethodDefinition<_mail_v1_ResolveAddressRequest, _mail_v1_ResolvedAddress, _mail_v1_ResolveAddressRequest__Output, _mail_v1_ResolvedAddress__Output>
  SetPassword: MethodDefinition<_mail_v1_SetPasswordRequest, _mail_v1_UserInfo, _mail_v1_SetPasswordRequest__Output, _mail_v1_UserInfo__Output>
  SetTenantQuota: MethodDefinition<_mail_v1_SetTenantQuotaRequest, _mail_v1_TenantQuota, _mail_v1_SetTenantQuotaRequest__Output, _mail_v1_TenantQuota__Output>
  SetUserQuota: MethodDefinition<_mail_v1_SetUserQuotaRequest, _mail_v1_UserQuota, _mail_v1_SetUserQuotaRequest__Output, _mail_v1_UserQuota__Output>
}
