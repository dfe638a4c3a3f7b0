// Package hant checks Traditional Chinese text (zh-HK, as written in Hong
// Kong and Macau) for characters that exist only in the Simplified script,
// the usual trace of a string converted by hand or left unconverted. Tests
// of the pages, the CLI's messages and the system schemas use it.
package hant

import "strings"

// simplifiedOnly are common characters of the Simplified script (the
// General Standard Chinese Characters table) whose Traditional form differs
// and that are not themselves Traditional characters in ordinary use
// (each one OpenCC's s2hk conversion changes).
// Characters shared by both scripts with other meanings (后, 面, 里, 准,
// 干, 几, 于, 云, 范, 着, 系, 台, 余, 只, 划, 征, 冲) and the forms Hong Kong
// writes itself (户, 温, 脱) are left out, so a match is always a mistake.
const simplifiedOnly = "" +
	"这们个来时为说国对会学发书证凭验签销称号码应关机构权数据资颁级专业执务网页络节点" +
	"链区块击开输错误无态钥组织认请确显隐扫过还进选择单读写载传从与样该种类别标题详细" +
	"账记录历问换语简项条须预览给让识视图备线连么长门间见车东动头实现电话订经结统续检" +
	"测试设计访册删顶领义产亲仅众优价体处争总复获状当团尽启杂帐满责负费钱银达远运边适" +
	"递职员论诉讯赖济齐龄龙阅阶际陆随难颜风饭馆驾骤鉴鲜鸡黄丰临举乐习乡买乱亚仓伦侧侦" +
	"俭债倾偿储兴养兽冈军农冯冻凤刘则刚创剂剧劝办励劳势勋匀华协卖卫却厅压厌县参双变叙" +
	"叠叹吓吗呜哑响唤啰啸喷嘱园围圆圣场坏坚坛坝坞坟坠垄垒垦垫墙壮声壳够夸夹夺奋奖妇妈" +
	"娄娱婴宁宝宠审宪宫宽宾寻导寿将尘尝尧层属岁岂岗岛岭峡币帅师带帧帮广庄庆库庙废异弃" +
	"张弥弯弹强归彻径忆忧怀怜恋恳恶恼悬惊惧惨惩惫愤愿懒戏战扩扬扰抚抛抢护报担拟拢拥拦" +
	"拨挡挣挤挥损捡捣掳掷掸掺揽搀搁搂搅携摄摆摇摊撑撵擞敌敛斋斩断旧旷昙晋晒晓晕暂杀杨" +
	"极枪柜栈栋栏树档桥梦楼横欢欧歼殴毁毕毙气汇汉汤沟没沦沧泪泻泼泽洁洒浅浆浇浊浑浓涛" +
	"涝润涧涨渊渐渔湾湿溃滚滤滥滨滩潜澜灭灯灵灾灿炉炼烁烂烛烟烦烧热焕爱爷牍牵犹狭狮独" +
	"狱猎猪献玛环玺琐琼瑶画畅疗疟疡疮疯痒痪皑监盖盗盘睁矫砖砚础硕碍礼祸禀离秃积秽稳穷" +
	"窃窍窑窜竞笔笋笼筑筛箩篮篱粮紧纠红约纪纬纯纱纲纳纵纷纸纹纺纽练终绍绑绕绘绝继绩绪" +
	"绳维绵综绿缓编缘缚缩缴罗罚罢羡翘耸聋联聪肃肠肤肿胀胁胜脉脏脑脚脸腊舆舰艰艺芜苍苏" +
	"茎荐荡荣药莱莹营萧萨蓝蔼蕴虏虑虚虫虽虾蚀蚁蛮补袄袭装裤观规觉誉誊讨训议讲许讼评诈" +
	"诊词译诗诚诞询诱诸诺课谁调谅谈谋谐谓谜谢谣谦谨谱贡财贤败货质贩贪贫购贯贵贷贸贺贼" +
	"赋赌赏赐赔赚赛赞赠赢赵赶趋跃践踪轨轩转轮软轰轴轻较辅辆辈辉辖辞辩辽迁迈违迟逊逻遗" +
	"邓邮邻郑酝酱释钉针钓钝钞钟钢钦钻铁铃铅铜铭铺锁锅锋锐锡锦键锯镇镜闪闭闯闲闷闸闹闻" +
	"阀阁阐阔队阳阴阵陈陕险隶雏雾静顺顽顾顿颂颇频额飘飞饥饮饰饱饲饼驱驳驶驻骂骄骑骗骚" +
	"鱼鲁鸟鸣鸭鸿鹅鹤麦齿"

// SimplifiedOnly returns the first character of s that exists only in the
// Simplified script, or "" if there is none.
func SimplifiedOnly(s string) string {
	for _, r := range s {
		if r >= 0x4e00 && strings.ContainsRune(simplifiedOnly, r) {
			return string(r)
		}
	}
	return ""
}
